//! The top-level `Dockerfile` against the repository, without a container builder: its build is
//! the one `.ci/run` tests (`cargo build --locked --release`, default features, the toolchain
//! CI uses), it copies every file that build reads and nothing that is not there, the
//! `.dockerignore` lets those files in, and the image runs the `[[bin]]` as a non-root user with
//! CA certificates. `scripts/container-image.sh` (run by `.ci/run`) builds and runs the image.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The Dockerfile's instructions: continuation lines joined, comments and blank lines dropped.
fn instructions() -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in read("Dockerfile").lines() {
        let line = line.trim();
        if line.starts_with('#') || (line.is_empty() && current.is_empty()) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part.trim_end());
                current.push(' ');
            }
            None => {
                current.push_str(line);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    out
}

/// The instructions of each stage, split at `FROM`.
fn stages() -> Vec<Vec<String>> {
    let mut stages: Vec<Vec<String>> = Vec::new();
    for instruction in instructions() {
        if instruction.starts_with("FROM ") {
            stages.push(Vec::new());
        }
        if let Some(stage) = stages.last_mut() {
            stage.push(instruction);
        }
    }
    stages
}

fn manifest() -> toml::Table {
    toml::from_str(&read("Cargo.toml")).expect("Cargo.toml parses")
}

fn bin_name() -> String {
    manifest()["bin"][0]["name"]
        .as_str()
        .expect("[[bin]] name")
        .to_string()
}

/// The paths a stage copies from the build context (`COPY SRC... DEST`, not `--from`).
fn copied_in(stage: &[String]) -> Vec<String> {
    let mut sources = Vec::new();
    for instruction in stage {
        if let Some(rest) = instruction.strip_prefix("COPY ") {
            if rest.starts_with("--from=") {
                continue;
            }
            let parts: Vec<&str> = rest.split_whitespace().collect();
            assert!(!parts[0].starts_with("--"), "{instruction}");
            sources.extend(parts[..parts.len() - 1].iter().map(|s| s.to_string()));
        }
    }
    sources
}

/// The paths the build stage copies from the context.
fn copied() -> Vec<String> {
    copied_in(&stages()[0])
}

fn is_copied(path: &str, sources: &[String]) -> bool {
    sources
        .iter()
        .any(|s| path == s || path.starts_with(&format!("{}/", s.trim_end_matches('/'))))
}

#[test]
fn the_build_stage_is_the_build_ci_tests() {
    let stages = stages();
    assert_eq!(stages.len(), 2, "a build stage and a runtime stage");
    let build = &stages[0];
    let runs: Vec<&String> = build.iter().filter(|i| i.starts_with("RUN ")).collect();
    // The locked dependencies, release, default features (the lab, for the demo), as .ci/run's
    // `cargo test --locked` builds: no --features, no --no-default-features, no other profile.
    assert_eq!(runs.len(), 1, "{runs:?}");
    let cargo = runs[0]
        .trim_start_matches("RUN ")
        .split("&&")
        .map(str::trim)
        .find(|c| c.starts_with("cargo "))
        .expect("a cargo command");
    assert_eq!(
        cargo,
        "RUN cargo build --locked --release".trim_start_matches("RUN ")
    );
    let ci = read(".ci/run");
    assert!(
        ci.contains("cargo test --locked") && !ci.contains("--no-default-features"),
        "CI tests the default features"
    );
    // The Rust image is the toolchain CI builds with, and at least the crate's rust-version.
    let image = read("Dockerfile")
        .lines()
        .find_map(|l| l.strip_prefix("ARG RUST_IMAGE="))
        .expect("ARG RUST_IMAGE")
        .to_string();
    let version = image
        .rsplit_once(':')
        .and_then(|(_, tag)| tag.split('-').next())
        .expect("a version tag")
        .to_string();
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .expect("rustc runs");
    let rustc = String::from_utf8_lossy(&rustc.stdout).into_owned();
    assert!(
        rustc.starts_with(&format!("rustc {version}.")),
        "the Dockerfile builds with Rust {version}, CI with {rustc}"
    );
    let minimum = manifest()["package"]["rust-version"]
        .as_str()
        .expect("rust-version")
        .to_string();
    let number = |v: &str| -> (u32, u32) {
        let mut parts = v.split('.').map(|p| p.parse::<u32>().expect("number"));
        (parts.next().unwrap(), parts.next().unwrap())
    };
    assert!(
        number(&version) >= number(&minimum),
        "{version} < {minimum}"
    );
}

#[test]
fn the_build_stage_copies_every_file_the_build_reads() {
    let sources = copied();
    for source in &sources {
        assert!(root().join(source).exists(), "COPY {source}: no such file");
    }
    for needed in ["Cargo.toml", "Cargo.lock", "src"] {
        assert!(is_copied(needed, &sources), "{needed} is not copied");
    }
    assert!(!root().join("build.rs").exists() || is_copied("build.rs", &sources));
    // Every target the manifest declares: cargo reads them all before building one.
    let manifest = manifest();
    for kind in ["bin", "bench", "example", "test"] {
        for target in manifest
            .get(kind)
            .and_then(|t| t.as_array())
            .into_iter()
            .flatten()
        {
            let name = target["name"].as_str().unwrap();
            let default = match kind {
                "bin" => format!("src/bin/{name}.rs"),
                "bench" => format!("benches/{name}.rs"),
                "example" => format!("examples/{name}.rs"),
                _ => format!("tests/{name}.rs"),
            };
            let path = target
                .get("path")
                .and_then(|p| p.as_str())
                .map_or(default, str::to_string);
            assert!(
                is_copied(&path, &sources),
                "[[{kind}]] {name}: {path} is not copied"
            );
        }
    }
    // Every file the sources include at compile time.
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            // Test code is not built: test_support.rs modules, and what follows a file's
            // `#[cfg(test)]` (its tests module, last by convention).
            if path.file_name().is_some_and(|n| n == "test_support.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let built = match text.find("#[cfg(test)]") {
                Some(tests) => &text[..tests],
                None => &text[..],
            };
            for macro_name in ["include_str!(\"", "include_bytes!(\""] {
                for (at, _) in built.match_indices(macro_name) {
                    let rest = &built[at + macro_name.len()..];
                    let included = &rest[..rest.find('"').unwrap()];
                    let file = path.parent().unwrap().join(included);
                    let file = std::fs::canonicalize(&file)
                        .unwrap_or_else(|e| panic!("{}: {included}: {e}", path.display()));
                    let relative = file
                        .strip_prefix(std::fs::canonicalize(root()).unwrap())
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    assert!(
                        is_copied(&relative, &sources),
                        "{} includes {relative}, which the Dockerfile does not copy",
                        path.display()
                    );
                }
            }
        }
    }
    // The context lets them in (the runtime stage's too): .dockerignore excludes everything,
    // then names them.
    let stages = stages();
    let sources: Vec<String> = sources
        .into_iter()
        .chain(stages.iter().skip(1).flat_map(|s| copied_in(s)))
        .collect();
    let ignore = read(".dockerignore");
    let kept: Vec<&str> = ignore
        .lines()
        .filter_map(|l| l.trim().strip_prefix('!'))
        .map(|l| l.trim_end_matches('/'))
        .collect();
    assert!(ignore.lines().any(|l| l.trim() == "*"));
    for source in &sources {
        assert!(
            kept.contains(&source.trim_end_matches('/')),
            ".dockerignore keeps {source} out"
        );
    }
}

#[test]
fn the_image_runs_the_binary_as_a_non_root_user_with_ca_certificates() {
    let stages = stages();
    let runtime = &stages[1];
    let name = bin_name();
    let find = |prefix: &str| -> Vec<&String> {
        runtime.iter().filter(|i| i.starts_with(prefix)).collect()
    };
    assert_eq!(
        find("ENTRYPOINT "),
        [&format!("ENTRYPOINT [\"/usr/local/bin/{name}\"]")]
    );
    // The binary the build stage made, by the [[bin]] name.
    assert!(stages[0]
        .iter()
        .any(|i| i.contains(&format!("target/release/{name} /out/{name}"))));
    let copies: Vec<&str> = find("COPY ").iter().map(|s| s.as_str()).collect();
    assert_eq!(
        copies,
        [
            format!("COPY --from=build /out/{name} /usr/local/bin/{name}").as_str(),
            "COPY scripts/originscan-nightly.sh /usr/local/bin/originscan-nightly.sh"
        ]
    );
    let mode = std::fs::metadata(root().join("scripts/originscan-nightly.sh"))
        .unwrap()
        .permissions();
    assert!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o111 != 0,
        "COPY keeps the mode: the script must be executable"
    );
    let user = find("USER ");
    assert_eq!(user.len(), 1);
    let user = user[0].trim_start_matches("USER ");
    assert!(
        !["0", "root"].contains(&user.split(':').next().unwrap()),
        "USER {user}"
    );
    assert!(find("RUN ")
        .iter()
        .any(|r| r.contains("--no-install-recommends ca-certificates")));
    // The README shows how to build the image its Kubernetes examples run.
    let readme = read("README.md");
    assert!(readme.contains("docker build -t registry.example.com/originscan:latest ."));
    // CI builds and runs it where buildah works.
    let ci = read(".ci/run");
    assert!(ci.contains("scripts/container-image.sh"));
    assert!(Path::new(&root().join("scripts/container-image.sh")).exists());
}
