// Test certificates with the OpenSSL API (see the header).
#include "tls_certificates.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>

namespace twat_cache::test {

namespace {

namespace fs = std::filesystem;

struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
    void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

constexpr long kDay = 24 * 60 * 60;

Key newKey() {
    return Key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

bool addExtension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return false;
    const bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

struct Spec {
    const char* common_name;
    const char* alt_names;  // subjectAltName value, or null
    const char* usage;      // extendedKeyUsage value, or null (a CA)
    long not_before;        // seconds from now
    long not_after;
};

// A certificate for `key`, signed by `issuerKey` as `issuer` (both null: self-signed CA).
Cert makeCertificate(const Spec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuerKey) {
    static long serial = 1;
    Cert cert(X509_new());
    X509* c = cert.get();
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
    X509_gmtime_adj(X509_getm_notBefore(c), spec.not_before);
    X509_gmtime_adj(X509_getm_notAfter(c), spec.not_after);
    X509_set_pubkey(c, key);
    X509_NAME* name = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(spec.common_name), -1, -1, 0);
    X509_set_issuer_name(c, issuer != nullptr ? X509_get_subject_name(issuer) : name);
    X509* signer = issuer != nullptr ? issuer : c;
    bool ok = addExtension(c, signer, NID_subject_key_identifier, "hash");
    if (spec.usage == nullptr) {
        ok = ok && addExtension(c, signer, NID_basic_constraints, "critical,CA:TRUE") &&
             addExtension(c, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        ok = ok && addExtension(c, signer, NID_basic_constraints, "critical,CA:FALSE") &&
             addExtension(c, signer, NID_ext_key_usage, spec.usage) &&
             addExtension(c, signer, NID_authority_key_identifier, "keyid");
    }
    if (spec.alt_names != nullptr) {
        ok = ok && addExtension(c, signer, NID_subject_alt_name, spec.alt_names);
    }
    if (!ok || X509_sign(c, issuerKey != nullptr ? issuerKey : key, EVP_sha256()) == 0) {
        return nullptr;
    }
    return cert;
}

bool writePem(const fs::path& stem, X509* cert, EVP_PKEY* key) {
    std::FILE* f = std::fopen((stem.string() + ".pem").c_str(), "w");
    if (f == nullptr) return false;
    bool ok = PEM_write_X509(f, cert) == 1;
    std::fclose(f);
    if (key == nullptr) return ok;
    f = std::fopen((stem.string() + ".key").c_str(), "w");
    if (f == nullptr) return false;
    ok = ok && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    std::fclose(f);
    return ok;
}

}  // namespace

std::string makeTestCertificates(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    Key caKey = newKey();
    Key strangerKey = newKey();
    if (!caKey || !strangerKey) return "cannot make keys";
    Cert ca = makeCertificate({"twat-cache test CA", nullptr, nullptr, -kDay, 30 * kDay},
                              caKey.get(), nullptr, nullptr);
    Cert stranger = makeCertificate({"stranger CA", nullptr, nullptr, -kDay, 30 * kDay},
                                    strangerKey.get(), nullptr, nullptr);
    if (!ca || !stranger || !writePem(dir / "ca", ca.get(), caKey.get()) ||
        !writePem(dir / "stranger-ca", stranger.get(), nullptr)) {
        return "cannot make the CAs";
    }
    const Spec leaves[] = {
        {"localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth", -kDay, 30 * kDay},
        {"localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth", -30 * kDay, -kDay},
        {"other.example", "DNS:other.example", "serverAuth", -kDay, 30 * kDay},
        {"twat-cache test client", nullptr, "clientAuth", -kDay, 30 * kDay},
    };
    const char* stems[] = {"server", "expired", "other", "client"};
    for (std::size_t i = 0; i < std::size(leaves); ++i) {
        Key key = newKey();
        if (!key) return "cannot make a key";
        Cert cert = makeCertificate(leaves[i], key.get(), ca.get(), caKey.get());
        if (!cert || !writePem(dir / stems[i], cert.get(), key.get())) {
            return std::string("cannot make ") + stems[i] + ".pem";
        }
    }
    return {};
}

}  // namespace twat_cache::test
