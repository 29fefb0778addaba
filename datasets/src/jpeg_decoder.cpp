#include "jpeg_decoder.h"

// clang-format off
#include <cstdio>  // jpeglib.h uses FILE and size_t without including what declares them
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include <csetjmp>
#include <fstream>

#include "comet/datasets/dataset.h"

namespace comet::datasets {

namespace {

// libjpeg's default error_exit calls exit(). Ours jumps back to decode_into, which is plain C
// style on purpose: longjmp skips destructors, so no object with one lives in that frame.
struct JumpingErrorManager {
  jpeg_error_mgr base;  // first member: libjpeg sees only this part
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void jump_on_error(j_common_ptr cinfo) {
  auto* manager = reinterpret_cast<JumpingErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, manager->message);
  std::longjmp(manager->jump, 1);
}

// Warnings (level -1) about damaged data are fatal: libjpeg would fill the rest of a truncated
// image with grey and carry on, a silent partial read. The ones kept as warnings concern
// metadata only; the pixels are decoded in full.
void jump_on_corrupt_data(j_common_ptr cinfo, int msg_level) {
  if (msg_level >= 0) return;  // trace messages
  switch (cinfo->err->msg_code) {
    case JWRN_EXTRANEOUS_DATA:  // junk bytes between markers, skipped
    case JWRN_JFIF_MAJOR:
    case JWRN_ADOBE_XFORM:
    case JWRN_BOGUS_ICC:
      return;
    default:
      jump_on_error(cinfo);
  }
}

enum class Outcome { decoded, libjpeg_error, wrong_size, not_rgb };

Outcome decode_into(jpeg_decompress_struct* cinfo, JumpingErrorManager* errors,
                    const std::uint8_t* data, std::size_t size, std::int64_t expected_width,
                    std::int64_t expected_height, RgbImage* out) {
  cinfo->err = jpeg_std_error(&errors->base);
  errors->base.error_exit = jump_on_error;
  errors->base.emit_message = jump_on_corrupt_data;
  if (setjmp(errors->jump) != 0) {
    jpeg_destroy_decompress(cinfo);
    return Outcome::libjpeg_error;
  }
  jpeg_create_decompress(cinfo);
  jpeg_mem_src(cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(cinfo, TRUE);
  out->width = cinfo->image_width;
  out->height = cinfo->image_height;
  if ((expected_width != 0 && out->width != expected_width) ||
      (expected_height != 0 && out->height != expected_height)) {
    jpeg_destroy_decompress(cinfo);
    return Outcome::wrong_size;
  }
  // libjpeg-turbo converts grayscale (and YCbCr) to RGB itself.
  cinfo->out_color_space = JCS_RGB;
  jpeg_start_decompress(cinfo);
  if (cinfo->output_components != 3) {
    jpeg_destroy_decompress(cinfo);
    return Outcome::not_rgb;
  }
  const std::size_t stride = static_cast<std::size_t>(cinfo->output_width) * 3;
  try {
    out->pixels.resize(stride * cinfo->output_height);
  } catch (...) {
    jpeg_destroy_decompress(cinfo);
    throw;
  }
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = out->pixels.data() + stride * cinfo->output_scanline;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  jpeg_destroy_decompress(cinfo);
  return Outcome::decoded;
}

}  // namespace

RgbImage decode_jpeg_rgb(std::span<const std::uint8_t> encoded, const std::string& name,
                         std::int64_t expected_width, std::int64_t expected_height) {
  if (encoded.empty()) throw DatasetError(name + ": empty file, not a JPEG");
  jpeg_decompress_struct cinfo{};
  JumpingErrorManager errors{};
  RgbImage image;
  switch (decode_into(&cinfo, &errors, encoded.data(), encoded.size(), expected_width,
                      expected_height, &image)) {
    case Outcome::decoded:
      return image;
    case Outcome::libjpeg_error:
      throw DatasetError(name + ": corrupt or truncated JPEG (libjpeg: " + errors.message + ")");
    case Outcome::wrong_size:
      throw DatasetError(name + ": image is " + std::to_string(image.width) + "x" +
                         std::to_string(image.height) + ", expected " +
                         std::to_string(expected_width) + "x" + std::to_string(expected_height));
    case Outcome::not_rgb:
      break;
  }
  throw DatasetError(name + ": JPEG colour space cannot be converted to RGB");
}

RgbImage read_jpeg_rgb(const std::filesystem::path& path, std::vector<std::uint8_t>& buffer,
                       std::int64_t expected_width, std::int64_t expected_height) {
  const auto name = path.string();
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw DatasetError(name + ": cannot open");
  const auto size = static_cast<std::streamoff>(in.tellg());
  if (size < 0) throw DatasetError(name + ": cannot read its size");
  buffer.resize(static_cast<std::size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(buffer.data()), size)) {
    throw DatasetError(name + ": read error");
  }
  return decode_jpeg_rgb(buffer, name, expected_width, expected_height);
}

}  // namespace comet::datasets
