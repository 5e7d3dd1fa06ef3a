// Non-variadic wrappers around libcurl's varargs entry points, which Swift cannot call.
#ifndef PIXELPIPE_CCURL_SHIMS_H
#define PIXELPIPE_CCURL_SHIMS_H

#include <curl/curl.h>
#include <stddef.h>

typedef size_t (*pp_curl_data_callback)(char *data, size_t size, size_t nmemb, void *userdata);
typedef curl_socket_t (*pp_curl_opensocket_callback)(void *clientp, curlsocktype purpose, struct curl_sockaddr *address);
typedef int (*pp_curl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

CURLcode pp_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode pp_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);
CURLcode pp_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode pp_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode pp_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode pp_curl_setopt_data_callback(CURL *handle, CURLoption option, pp_curl_data_callback callback);
CURLcode pp_curl_setopt_opensocket_callback(CURL *handle, pp_curl_opensocket_callback callback);
CURLcode pp_curl_setopt_xferinfo_callback(CURL *handle, pp_curl_xferinfo_callback callback);

CURLcode pp_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode pp_curl_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode pp_curl_getinfo_string(CURL *handle, CURLINFO info, const char **value);
CURLcode pp_curl_getinfo_pointer(CURL *handle, CURLINFO info, void **value);

CURLMcode pp_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// The socket() call libcurl would make for this address; used after the address was checked.
curl_socket_t pp_curl_open_socket(const struct curl_sockaddr *address);

/// Copies the IP address libcurl is about to connect to into `out` (4 bytes for IPv4, 16 for
/// IPv6) and returns its family (AF_INET or AF_INET6), or 0 for any other family.
int pp_curl_sockaddr_ip(const struct curl_sockaddr *address, unsigned char out[16]);

/// The version of the libcurl loaded at run time, e.g. "7.88.1".
const char *pp_curl_runtime_version(void);

#endif
