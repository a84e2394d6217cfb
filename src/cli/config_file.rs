//! `originscan.toml`: defaults a team shares (resolvers, CA files, limits, the gate), found in
//! the working directory or given with `--config`. A flag given on the command line wins over
//! the file; the file wins over built-in defaults.
//!
//! ```toml
//! resolver = ["10.0.0.2"]
//! ca_file = ["/etc/ssl/internal-root.pem"]
//! concurrency = 500
//! fail_on = "critical"
//! expiry_warn = "45,14"
//! ```

use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::ArgMatches;
use serde::Deserialize;

use crate::cli::ScanArgs;

/// The file looked for in the working directory.
pub(crate) const DEFAULT_CONFIG: &str = "originscan.toml";

/// Why the configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not readable.
    #[error("{path}: {source}")]
    Io {
        /// The path as given to `--config`, or `originscan.toml`.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Not valid TOML, or an unknown key.
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// The path as given to `--config`, or `originscan.toml`.
        path: String,
        /// 1-based line of the error (1 when the parser gives no position).
        line: usize,
        /// The TOML parser's message (an unknown key is named in it).
        message: String,
    },
}

/// Scan defaults from the file; every key is optional and named like the flag.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    /// `--resolver`, as a list: `["10.0.0.2", "10.0.0.3:5353"]`.
    pub resolver: Option<Vec<String>>,
    /// `--resolve`, as a list of `"HOST:ADDR"`.
    pub resolve: Option<Vec<String>>,
    /// `--ca-file`, as a list of PEM paths (relative to the working directory).
    pub ca_file: Option<Vec<PathBuf>>,
    /// `--origin-client-cert`, a PEM path (relative to the working directory): the client
    /// certificate of origin mTLS (with `origin_client_key`).
    pub origin_client_cert: Option<PathBuf>,
    /// `--origin-client-key`, a PEM path: its private key.
    pub origin_client_key: Option<PathBuf>,
    /// `--expiry-warn`, as one string of days: `"45,14"`.
    pub expiry_warn: Option<String>,
    /// `--dns-timeout`, in seconds (`2.5`).
    pub dns_timeout: Option<f64>,
    /// `--dns-attempts`, an integer (checked as the flag is: 1-10).
    pub dns_attempts: Option<usize>,
    /// `--concurrency`, origins in flight.
    pub concurrency: Option<usize>,
    /// `--rate`, new connections per second.
    pub rate: Option<u32>,
    /// `--per-ip`, connections open to one address.
    pub per_ip: Option<u32>,
    /// `--fail-on`, a level as a string: `"high"`.
    pub fail_on: Option<String>,
    /// `--allow-private`, as a list of CIDRs; `[]` allows every private range.
    pub allow_private: Option<Vec<String>>,
    /// `--path`, the request path: `"/health"`.
    pub path: Option<String>,
    /// `--no-idle-probe` as a boolean: `true` skips the keep-alive probe.
    pub no_idle_probe: Option<bool>,
    /// `--ssl-protocols`, as one string: `"TLSv1.2"` or `"TLSv1,TLSv1.1,TLSv1.2"`.
    pub ssl_protocols: Option<String>,
    /// `--cloudfront-profile`: `"2025"`, `"2025-pq"` or `"legacy"`.
    pub cloudfront_profile: Option<String>,
    /// `--format`: `"json"`, `"csv"`, ...
    pub format: Option<String>,
}

impl ConfigFile {
    /// Reads `explicit`, else `originscan.toml` in the working directory if there is one.
    pub(crate) fn load(explicit: Option<&Path>) -> Result<Option<ConfigFile>, ConfigError> {
        let path = match explicit {
            Some(path) => path.to_path_buf(),
            None => {
                let default = PathBuf::from(DEFAULT_CONFIG);
                if !default.exists() {
                    return Ok(None);
                }
                default
            }
        };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Io {
            path: shown.clone(),
            source,
        })?;
        ConfigFile::parse(&shown, &text).map(Some)
    }

    /// Parses the file's text; `path` only names it in errors.
    pub(crate) fn parse(path: &str, text: &str) -> Result<ConfigFile, ConfigError> {
        let config: ConfigFile =
            toml::from_str(text).map_err(|e: toml::de::Error| ConfigError::Invalid {
                path: path.to_string(),
                line: e
                    .span()
                    .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1)
                    .unwrap_or(1),
                message: e.message().to_string(),
            })?;
        if let Some(ranges) = &config.allow_private {
            // A list cannot mean "every private range" (only the bare flag does): an empty one
            // is a mistake, such as an unset variable, and must not open the scope.
            if ranges.is_empty() || ranges.iter().any(|r| r.trim().is_empty()) {
                let line = text
                    .lines()
                    .position(|l| l.trim_start().starts_with("allow_private"))
                    .map_or(1, |i| i + 1);
                return Err(ConfigError::Invalid {
                    path: path.to_string(),
                    line,
                    message: "allow_private: an empty list or an empty range would open every \
                              private range; name the ranges, e.g. [\"127.0.0.0/8\"] (only a bare \
                              --allow-private on the command line allows them all)"
                        .into(),
                });
            }
        }
        Ok(config)
    }

    /// Fills every option of `args` that the command line did not give.
    pub(crate) fn apply(&self, args: &mut ScanArgs, matches: Option<&ArgMatches>) {
        let from_cli = |id: &str| {
            matches.is_some_and(|m| m.value_source(id) == Some(ValueSource::CommandLine))
        };
        macro_rules! fill {
            ($field:ident, $id:literal, $value:expr) => {
                if !from_cli($id) {
                    if let Some(value) = $value {
                        args.$field = value;
                    }
                }
            };
        }
        fill!(resolvers, "resolvers", self.resolver.clone());
        fill!(resolve, "resolve", self.resolve.clone());
        fill!(ca_files, "ca_files", self.ca_file.clone());
        fill!(
            origin_client_cert,
            "origin_client_cert",
            self.origin_client_cert.clone().map(Some)
        );
        fill!(
            origin_client_key,
            "origin_client_key",
            self.origin_client_key.clone().map(Some)
        );
        fill!(expiry_warn, "expiry_warn", self.expiry_warn.clone());
        fill!(dns_timeout, "dns_timeout", self.dns_timeout);
        fill!(dns_attempts, "dns_attempts", self.dns_attempts);
        fill!(concurrency, "concurrency", self.concurrency);
        fill!(rate, "rate", self.rate.map(Some));
        fill!(per_ip, "per_ip", self.per_ip);
        fill!(fail_on, "fail_on", self.fail_on.clone());
        fill!(
            allow_private,
            "allow_private",
            self.allow_private.clone().map(Some)
        );
        fill!(path, "path", self.path.clone());
        fill!(no_idle_probe, "no_idle_probe", self.no_idle_probe);
        fill!(
            ssl_protocols,
            "ssl_protocols",
            self.ssl_protocols.clone().map(Some)
        );
        fill!(
            cloudfront_profile,
            "cloudfront_profile",
            self.cloudfront_profile.clone()
        );
        fill!(format, "format", self.format.clone().map(Some));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_allow_private_list_is_refused_with_its_line() {
        for list in ["[]", "[\"\"]", "[\" \"]", "[\"127.0.0.0/8\", \"\"]"] {
            let text = format!("fail_on = \"critical\"\nallow_private = {list}\n");
            let error = ConfigFile::parse("originscan.toml", &text).unwrap_err();
            let message = error.to_string();
            assert!(
                message.starts_with("originscan.toml:2: allow_private"),
                "{message}"
            );
        }
        let fine = ConfigFile::parse("o.toml", "allow_private = [\"127.0.0.0/8\"]\n").unwrap();
        assert_eq!(fine.allow_private, Some(vec!["127.0.0.0/8".to_string()]));
    }
    use clap::{CommandFactory, FromArgMatches};

    use crate::cli::{Cli, Command};

    fn scan_args(argv: &[&str]) -> (ScanArgs, ArgMatches) {
        let matches = Cli::command().get_matches_from(argv);
        let cli = Cli::from_arg_matches(&matches).unwrap();
        let Command::Scan(args) = cli.command else {
            panic!("not scan")
        };
        let sub = matches.subcommand_matches("scan").unwrap().clone();
        (args, sub)
    }

    #[test]
    fn the_command_line_wins_over_the_file() {
        let config = ConfigFile::parse(
            "originscan.toml",
            "concurrency = 17\nfail_on = \"high\"\nresolver = [\"127.0.0.1:5353\"]\n",
        )
        .unwrap();
        let (mut args, matches) =
            scan_args(&["originscan", "scan", "a.example.com", "--fail-on", "low"]);
        config.apply(&mut args, Some(&matches));
        assert_eq!(args.concurrency, 17);
        assert_eq!(args.fail_on, "low");
        assert_eq!(args.resolvers, vec!["127.0.0.1:5353".to_string()]);
    }

    #[test]
    fn bad_files_name_the_line() {
        let err = ConfigFile::parse("t.toml", "concurrency = 1\ncolour = \"red\"\n").unwrap_err();
        assert!(err.to_string().starts_with("t.toml:2: "), "{err}");
        let err = ConfigFile::parse("t.toml", "concurrency = \"many\"\n").unwrap_err();
        assert!(err.to_string().starts_with("t.toml:1: "), "{err}");
    }
}
