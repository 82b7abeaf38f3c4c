#include "api/media/media_params.hpp"

#include "media/media_files.hpp"
#include "services/services.hpp"

namespace chat::daemon {

Result<std::string> local_media_id(const Request& request) {
    if (request.path_param("serverName") != request.services().server_name)
        return make_error(Errc::not_found, "Remote media is not available on this server.");
    auto media_id = request.path_param("mediaId");
    if (!MediaFiles::is_valid_media_id(media_id))
        return make_error(Errc::not_found, "Not found");
    return std::string(media_id);
}

}  // namespace chat::daemon
