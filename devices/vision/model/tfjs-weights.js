// tfjs-weights.js — run once by ./canteen's setup, never by the product:
// turns the MobileNetV2 that the npm package nsfwjs ships (tfjs layers
// format, each file wrapped in a JavaScript module, weight shards as
// base64, every tensor quantised to uint8) into the two files the vision
// library embeds:
//
//   weights.bin    the quantised bytes of the tensors kept, in manifest order
//   manifest.json  {"weights":[{"name","shape","offset","min","scale"}]}
//                  value = min + scale * byte
//
// Only the tensors of the layers embedder.cpp builds are kept (their names
// start with one of KEEP): the stem and blocks 1-5, whose ImageNet weights
// nsfwjs froze (trainable: false), about 60 KB of the 2.6 MB.
//
// usage: node tfjs-weights.js NSFWJS_MODEL_DIR OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');

const KEEP = ['Conv1/', 'bn_Conv1/', 'expanded_conv_',
              'block_1_', 'block_2_', 'block_3_', 'block_4_', 'block_5_'];

function fail(why) {
  process.stderr.write(`tfjs-weights: ${why}\n`);
  process.exit(1);
}

if (process.argv.length !== 4)
  fail('usage: node tfjs-weights.js NSFWJS_MODEL_DIR OUT_DIR');
const dir = path.resolve(process.argv[2]);
const out = path.resolve(process.argv[3]);

let model;
try {
  model = require(path.join(dir, 'model.min.js'));
} catch (e) {
  fail(`cannot load ${dir}/model.min.js: ${e.message}`);
}
if (!model || !Array.isArray(model.weightsManifest))
  fail('model.min.js holds no weightsManifest');

const kept = [];
const bytes = [];
let at = 0;
for (const group of model.weightsManifest) {
  const shard = Buffer.concat(group.paths.map((p) => {
    const text = require(path.join(dir, p + '.min.js'));
    if (typeof text !== 'string')
      fail(`${p}.min.js is not a base64 string`);
    return Buffer.from(text, 'base64');
  }));
  let offset = 0;
  for (const w of group.weights) {
    const count = w.shape.reduce((a, b) => a * b, 1);
    const q = w.quantization;
    if (!q || q.dtype !== 'uint8')
      fail(`${w.name}: expected uint8 quantisation`);
    if (offset + count > shard.length)
      fail(`${w.name}: past the end of its shard`);
    if (KEEP.some((k) => w.name.startsWith(k))) {
      kept.push({ name: w.name, shape: w.shape, offset: at, min: q.min, scale: q.scale });
      bytes.push(shard.subarray(offset, offset + count));
      at += count;
    }
    offset += count;
  }
  if (offset !== shard.length)
    fail(`group ${group.paths.join(',')}: ${shard.length} bytes, manifest says ${offset}`);
}
if (kept.length === 0)
  fail('no tensor of the stem or blocks 1-5 found');

fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'weights.bin'), Buffer.concat(bytes));
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ weights: kept }) + '\n');
process.stdout.write(`tfjs-weights: ${kept.length} tensors, ${at} bytes\n`);
