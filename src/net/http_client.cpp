#include "net/http_client.hpp"

#include <future>
#include <memory>
#include <utility>

namespace tglead::net {

HttpResponse HttpClient::perform(HttpRequest request) {
  // Shared ownership: the callback may still be inside set_value() when
  // get() returns here, so the promise must not live on this stack frame.
  auto promise = std::make_shared<std::promise<HttpResponse>>();
  auto result = promise->get_future();
  submit(std::move(request), [promise](HttpResponse response) { promise->set_value(std::move(response)); });
  return result.get();
}

}  // namespace tglead::net
