// A throwaway PKI for TLS tests, made with OpenSSL at run time (nothing secret is committed).
//
// makeTestCertificates(dir) writes P-256 keys and certificates as PEM files into `dir`:
//   ca.pem / ca.key            a CA ("twat-cache test CA")
//   server.pem / server.key    for localhost and 127.0.0.1, valid now, signed by the CA
//   expired.pem / expired.key  the same names, valid only until yesterday
//   other.pem / other.key      for other.example only
//   client.pem / client.key    a client certificate (clientAuth), signed by the CA
//   stranger-ca.pem            another CA, which signed none of these
//
// Thread safety: call from one thread; the files are the only state.
#pragma once

#include <filesystem>
#include <string>

namespace twat_cache::test {

// Returns "" on success, else what failed.
std::string makeTestCertificates(const std::filesystem::path& dir);

}  // namespace twat_cache::test
