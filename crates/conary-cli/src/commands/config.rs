//! `conary config`: print the effective configuration.

use std::fmt::Write as _;

use conary_core::config::Config;

/// Formats the effective configuration as `key value` lines.
pub fn render(config: &Config, show_passwords: bool) -> String {
    let mut out = String::new();
    let labels: Vec<String> = config
        .install_label_path
        .iter()
        .map(ToString::to_string)
        .collect();
    let _ = writeln!(out, "installLabelPath          {}", labels.join(" "));
    for flavor in &config.flavor {
        let _ = writeln!(out, "flavor                    {flavor}");
    }
    if let Some(label) = &config.build_label {
        let _ = writeln!(out, "buildLabel                {label}");
    }
    if let Some(flavor) = &config.build_flavor {
        let _ = writeln!(out, "buildFlavor               {flavor}");
    }
    for (host, url) in &config.repository_map {
        let _ = writeln!(out, "repositoryMap             {host} {url}");
    }
    for user in &config.users {
        let password = match (&user.password, show_passwords) {
            (Some(password), true) => password.as_str(),
            (Some(_), false) => "<password>",
            (None, _) => "",
        };
        let _ = writeln!(
            out,
            "user                      {} {} {password}",
            user.host_glob, user.user
        );
    }
    let _ = writeln!(out, "autoResolve               {}", config.auto_resolve);
    let _ = writeln!(out, "keepRequired              {}", config.keep_required);
    if let Some(name) = &config.name {
        let _ = writeln!(out, "name                      {name}");
    }
    if let Some(contact) = &config.contact {
        let _ = writeln!(out, "contact                   {contact}");
    }
    out
}
