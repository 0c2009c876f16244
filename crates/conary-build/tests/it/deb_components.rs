//! Component assignment over real paths of the corpus.

use conary_build::deb::{ComponentSuffix, component_for};

use crate::corpus::read_package;

#[test]
fn real_paths() {
    use ComponentSuffix::{Config, Data, Devel, Doc, Lib, Locale, Runtime};
    let cases: &[(&str, &[(&str, ComponentSuffix)])] = &[
        (
            "sudo_1.9.13p3-1+deb12u4_amd64.deb",
            &[
                ("/usr/bin/sudo", Runtime),
                ("/usr/bin/sudoedit", Runtime),
                ("/etc/sudoers", Config),
                ("/etc/sudoers.d/README", Config),
                ("/etc/pam.d/sudo", Config),
                ("/etc/init.d/sudo", Runtime),
                ("/etc/sudoers.d", Runtime),
                ("/usr/include/sudo_plugin.h", Devel),
                ("/usr/libexec/sudo/sudoers.so", Runtime),
                ("/usr/libexec/sudo/libsudo_util.so", Devel),
                ("/usr/lib/tmpfiles.d/sudo.conf", Lib),
                ("/lib/systemd/system/sudo.service", Lib),
                ("/usr/share/man/man8/sudo.8.gz", Doc),
                ("/usr/share/man/man5/sudoers.5.gz", Doc),
                ("/usr/share/doc/sudo/copyright", Doc),
                ("/usr/share/lintian/overrides/sudo", Data),
                ("/usr/share/locale/de/LC_MESSAGES/sudo.mo", Locale),
                ("/usr/sbin/visudo", Runtime),
            ],
        ),
        (
            "libssl3_3.0.22-1~deb12u2_amd64.deb",
            &[
                ("/usr/lib/x86_64-linux-gnu/libssl.so.3", Lib),
                ("/usr/lib/x86_64-linux-gnu/libcrypto.so.3", Lib),
                ("/usr/lib/x86_64-linux-gnu/engines-3/afalg.so", Lib),
                ("/usr/share/doc/libssl3/changelog.Debian.gz", Doc),
            ],
        ),
        (
            "libexpat1_2.5.0-1+deb12u5_amd64.deb",
            &[
                ("/lib/x86_64-linux-gnu/libexpat.so.1", Lib),
                ("/lib/x86_64-linux-gnu/libexpat.so.1.8.10", Lib),
            ],
        ),
        (
            "openssl_3.0.22-1~deb12u2_amd64.deb",
            &[
                ("/etc/ssl/openssl.cnf", Config),
                ("/etc/ssl/private", Runtime),
                ("/usr/bin/openssl", Runtime),
                ("/usr/lib/ssl/misc/CA.pl", Lib),
                ("/usr/lib/ssl/certs", Lib),
            ],
        ),
        (
            "nginx-common_1.22.1-9+deb12u11_all.deb",
            &[
                ("/etc/nginx/nginx.conf", Config),
                ("/etc/nginx/sites-available/default", Config),
                ("/etc/init.d/nginx", Runtime),
                ("/usr/share/nginx/html/index.html", Data),
            ],
        ),
        (
            "tzdata_2026f-0+deb12u1_all.deb",
            &[
                ("/usr/share/zoneinfo/Europe/Paris", Data),
                ("/usr/share/doc/tzdata/changelog.Debian.gz", Doc),
            ],
        ),
        (
            "xz-utils_5.4.1-1+deb12u2_amd64.deb",
            &[
                ("/usr/bin/xz", Runtime),
                ("/usr/share/man/de/man1/xz.1.gz", Doc),
                ("/usr/share/locale/de/LC_MESSAGES/xz.mo", Locale),
            ],
        ),
        (
            "ca-certificates_20250419~deb12u2_all.deb",
            &[("/usr/sbin/update-ca-certificates", Runtime)],
        ),
        (
            "rsyslog_8.2302.0-1+deb12u2_amd64.deb",
            &[
                ("/etc/rsyslog.conf", Config),
                ("/usr/lib/x86_64-linux-gnu/rsyslog/imfile.so", Lib),
                ("/usr/lib/rsyslog/rsyslog-rotate", Lib),
            ],
        ),
    ];
    for (file, paths) in cases {
        let package = read_package(file);
        for (path, expected) in *paths {
            let entry = package.entry(path);
            let conffile = package.metadata.is_conffile(path);
            assert_eq!(component_for(entry, conffile), *expected, "{file}: {path}");
        }
    }
}
