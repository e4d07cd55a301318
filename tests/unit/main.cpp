// The Catch2 runner. Tests run on a thread with a 512 MB stack, as `mtc` runs
// its commands (cli/main.cpp): checking deeply nested input recurses, and under
// AddressSanitizer every frame is larger.
#define CATCH_CONFIG_RUNNER
#include <pthread.h>

#include <catch2/catch.hpp>

namespace {
struct Args {
  int argc;
  char** argv;
  int rc = 0;
};
}  // namespace

int main(int argc, char** argv) {
  Args a{argc, argv};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t{512} << 20);
  pthread_t t;
  auto body = [](void* p) -> void* {
    auto* args = static_cast<Args*>(p);
    args->rc = Catch::Session().run(args->argc, args->argv);
    return nullptr;
  };
  if (pthread_create(&t, &attr, body, &a) != 0) return Catch::Session().run(argc, argv);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
  return a.rc;
}
