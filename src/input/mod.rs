//! Reading targets: positional specs, `.txt` lists, `.csv` tables, CloudFront JSON exports
//! (`list-distributions` / `get-distribution-config` output), stdin.
//!
//! Every input is read and validated in full before any traffic is sent: a bad line stops the
//! run with `FILE:LINE: what is wrong` (exit 2). Duplicates are merged, first occurrence wins.
//!
//! Lists and tables are read as streams, twice, so that memory does not grow with them
//! ([`plan`]): a first pass checks every line and keeps a 128-bit fingerprint of each distinct
//! target; the scan then reads them again ([`Targets`]) and takes each target the first time
//! its fingerprint comes back. Stdin and pipes are copied to an unnamed temporary file for the
//! second reading, and hold at most [`MAX_STREAM_LINES`] lines. CloudFront exports (JSON, at
//! most [`MAX_INPUT_BYTES`]) are parsed whole and their targets kept.

pub mod cloudfront;
mod csv_table;
pub(crate) mod stream;
mod text_list;

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use crate::target::Target;
use stream::Guard;

pub use crate::target::SkippedOrigin;
pub use cloudfront::{CloudFrontImport, OriginRequestPolicies};

/// Longest line accepted in any input file.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// Largest input accepted (512 MiB): a file's size is checked before reading it, stdin and
/// pipes are stopped when they pass it.
pub const MAX_INPUT_BYTES: u64 = 512 * 1024 * 1024;
/// Most lines read from stdin or a pipe (10 million): past them the run stops with
/// `-:10000001: stdin has more than 10000000 lines ...` (exit 2). Files are bounded by
/// [`MAX_INPUT_BYTES`] only.
pub const MAX_STREAM_LINES: usize = 10_000_000;

/// One record of a list or table: a target, or (1-based line, what is wrong).
pub(crate) type Row = Result<Target, (usize, String)>;

#[cfg(test)]
/// Every target of a list or table read with `next_row`, or every bad line (up to
/// [`MAX_LINES_REPORTED`]) at once.
pub(crate) fn collect(
    name: &str,
    mut next_row: impl FnMut() -> Result<Option<Row>, InputError>,
) -> Result<Vec<Target>, InputError> {
    let mut targets = Vec::new();
    let mut errors = LineErrors::new(name);
    while let Some(row) = next_row()? {
        match row {
            Ok(target) => targets.push(target),
            Err((line, message)) => errors.push(line, message),
        }
    }
    errors.finish(targets)
}

/// Why the input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("{file}: {source}")]
    Io {
        /// The path as given (`-` for stdin).
        file: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A line (or record) is wrong.
    #[error("{file}:{line}: {message}")]
    Invalid {
        /// The file (`argv` for positional targets, `-` for stdin).
        file: String,
        /// 1-based line (for `argv`, the argument's position).
        line: usize,
        /// What is wrong with that line or argument.
        message: String,
    },
    /// The file is wrong as a whole (empty, too large, binary).
    #[error("{file}: {message}")]
    File {
        /// The path as given (`-` for stdin).
        file: String,
        /// What is wrong with the whole file, e.g. `is empty: no targets in it`.
        message: String,
    },
    /// Several lines are wrong: the first [`MAX_LINES_REPORTED`], one a line, then how many
    /// more.
    #[error("{}", lines_message(.file, .errors, *.more))]
    Lines {
        /// The file (`-` for stdin).
        file: String,
        /// (1-based line, what is wrong), in file order.
        errors: Vec<(usize, String)>,
        /// Bad lines beyond those listed.
        more: usize,
    },
    /// The arguments and inputs gave no target (for [`gather_all`], no skipped origin either).
    #[error("no targets: give TARGET arguments or --input FILE (see --help)")]
    NoTargets,
}

/// Bad lines of one file reported at once; the rest are counted.
pub(crate) const MAX_LINES_REPORTED: usize = 20;

fn lines_message(file: &str, errors: &[(usize, String)], more: usize) -> String {
    let mut text: Vec<String> = errors
        .iter()
        .map(|(line, message)| format!("{file}:{line}: {message}"))
        .collect();
    if more > 0 {
        text.push(format!(
            "{file}: and {more} more bad line{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    text.join("\n")
}

/// Collects a file's bad lines so that one run reports up to [`MAX_LINES_REPORTED`] of them.
pub(crate) struct LineErrors {
    file: String,
    errors: Vec<(usize, String)>,
    more: usize,
}

impl LineErrors {
    pub(crate) fn new(file: &str) -> LineErrors {
        LineErrors {
            file: file.to_string(),
            errors: Vec::new(),
            more: 0,
        }
    }

    /// Notes that `line` is wrong; past [`MAX_LINES_REPORTED`] lines, only the count grows.
    pub(crate) fn push(&mut self, line: usize, message: impl Into<String>) {
        if self.errors.len() < MAX_LINES_REPORTED {
            self.errors.push((line, message.into()));
        } else {
            self.more += 1;
        }
    }

    /// `value` if no line was wrong; else one [`InputError::Invalid`], or
    /// [`InputError::Lines`] for several.
    pub(crate) fn finish<T>(mut self, value: T) -> Result<T, InputError> {
        match (self.errors.len(), self.more) {
            (0, _) => Ok(value),
            (1, 0) => {
                let (line, message) = self.errors.remove(0);
                Err(InputError::invalid(&self.file, line, message))
            }
            _ => Err(InputError::Lines {
                file: self.file,
                errors: self.errors,
                more: self.more,
            }),
        }
    }
}

impl InputError {
    pub(crate) fn invalid(file: &str, line: usize, message: impl Into<String>) -> InputError {
        InputError::Invalid {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// The input formats originscan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One target spec a line, `#` comments.
    Text,
    /// A header row, then one origin a row.
    Csv,
    /// `aws cloudfront list-distributions` or `get-distribution-config` JSON output.
    CloudFront,
}

impl InputFormat {
    /// The format a file's extension names, if any.
    fn from_name(name: &str) -> Option<InputFormat> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(InputFormat::Csv)
        } else if lower.ends_with(".txt") || lower.ends_with(".list") {
            Some(InputFormat::Text)
        } else if lower.ends_with(".json") {
            Some(InputFormat::CloudFront)
        } else {
            None
        }
    }

    /// Chooses by file extension; for stdin (or no extension), by content.
    fn detect(name: &str, content: &[u8]) -> InputFormat {
        if let Some(format) = InputFormat::from_name(name) {
            return format;
        }
        if cloudfront::looks_like_json(content) {
            return InputFormat::CloudFront;
        }
        let first_line = content
            .split(|b| *b == b'\n')
            .find(|l| !l.iter().all(u8::is_ascii_whitespace) && !l.starts_with(b"#"))
            .unwrap_or_default();
        let first = String::from_utf8_lossy(first_line).to_ascii_lowercase();
        if first.contains(',') && first.split(',').any(|c| c.trim() == "origin") {
            InputFormat::Csv
        } else {
            InputFormat::Text
        }
    }
}

/// Everything the inputs gave: targets to scan, CloudFront origins that cannot be scanned, and
/// warnings for the user (e.g. an incomplete CloudFront export).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gathered {
    /// The targets, duplicates merged (first one wins).
    pub targets: Vec<Target>,
    /// CloudFront origins that are not scanned (S3 REST, VPC), with the reason.
    pub skipped: Vec<SkippedOrigin>,
    /// Warnings, each naming its file.
    pub warnings: Vec<String>,
    /// Notes, each naming its file: facts that are not problems (a CloudFront export of an
    /// account without distributions).
    pub notes: Vec<String>,
}

/// Parses one input's bytes (already read) into targets. For a CloudFront export, origins
/// that are skipped and warnings are dropped, and no origin request policy is known: use
/// [`gather_all`] to get them.
pub fn parse_bytes(name: &str, content: &[u8]) -> Result<Vec<Target>, InputError> {
    let mut targets = Vec::new();
    let (parsed, _) = parse_from(
        name,
        Guard::new(content, name, false),
        &OriginRequestPolicies::default(),
        &mut |target| targets.push(target),
    )?;
    Ok(match parsed {
        Parsed::Export(gathered) => gathered.targets,
        Parsed::Streamed { .. } => targets,
    })
}

/// What one input gave: a CloudFront export's targets, skipped origins and warnings; or, for a
/// list or a table, whose targets went to the caller one at a time, its format and count.
enum Parsed {
    Export(Gathered),
    Streamed { format: InputFormat, targets: usize },
}

/// Reads one input through `guard`: its format from the name or the first bytes, then an
/// export whole, or a list or table one target at a time (each handed to `visit`). Every bad
/// line is reported at once. The guard comes back (a stream's spool is in it).
fn parse_from<R: Read>(
    name: &str,
    mut guard: Guard<R>,
    policies: &OriginRequestPolicies,
    visit: &mut dyn FnMut(Target),
) -> Result<(Parsed, Guard<R>), InputError> {
    if InputFormat::from_name(name) == Some(InputFormat::CloudFront) {
        guard.check_lines = false;
    }
    let (prefix, format) = stream::sniff(&mut guard, name)?;
    let mut count = 0;
    let mut errors = LineErrors::new(name);
    let mut row = |row: Row| match row {
        Ok(target) => {
            count += 1;
            visit(target);
        }
        Err((line, message)) => errors.push(line, message),
    };
    let guard = match format {
        InputFormat::CloudFront => {
            guard.check_lines = false;
            let mut content = prefix;
            guard
                .read_to_end(&mut content)
                .map_err(|e| stream::input_error(name, e))?;
            let import = cloudfront::parse(name, &content, policies)?;
            let notes = if import.distributions == 0 {
                vec![format!(
                    "{name}: the export holds no distribution (the account has none, or this \
                     page is empty): nothing to scan in it"
                )]
            } else {
                Vec::new()
            };
            let gathered = Gathered {
                targets: import.targets,
                skipped: import.skipped,
                warnings: import.warnings,
                notes,
            };
            return Ok((Parsed::Export(gathered), guard));
        }
        InputFormat::Text => {
            let mut reader =
                text_list::TextReader::new(name, BufReader::new(Cursor::new(prefix).chain(guard)));
            while let Some(one) = reader.next_row()? {
                row(one);
            }
            reader.into_inner().into_inner().into_inner().1
        }
        InputFormat::Csv => {
            let mut reader = csv_table::CsvReader::new(name, Cursor::new(prefix).chain(guard))?;
            while let Some(one) = reader.next_row()? {
                row(one);
            }
            reader.into_inner().into_inner().1
        }
    };
    errors.finish((
        Parsed::Streamed {
            format,
            targets: count,
        },
        guard,
    ))
}

/// Reads `-i FILE` (`-` is stdin). As [`parse_bytes`], a CloudFront export gives its targets
/// only: use [`gather_all`] for skipped origins, warnings and origin request policies.
pub fn read_file(path: &str) -> Result<Vec<Target>, InputError> {
    read_input(path, &OriginRequestPolicies::default()).map(|g| g.targets)
}

/// Reads one input file (`-` is stdin) into everything it gives, every target in memory.
fn read_input(path: &str, policies: &OriginRequestPolicies) -> Result<Gathered, InputError> {
    let opened = Opened::open(path, false)?;
    let mut targets = Vec::new();
    let (parsed, guard) = parse_from(path, opened.guard, policies, &mut |t| targets.push(t))?;
    let gathered = match parsed {
        Parsed::Export(gathered) => gathered,
        Parsed::Streamed { .. } => Gathered {
            targets,
            ..Gathered::default()
        },
    };
    if gathered.targets.is_empty() && gathered.skipped.is_empty() && gathered.notes.is_empty() {
        return Err(nothing_in(path, guard.is_blank()));
    }
    Ok(gathered)
}

/// The error for an input that gave no target and no skipped origin.
fn nothing_in(path: &str, blank: bool) -> InputError {
    let message = if blank {
        "is empty: no targets in it"
    } else {
        "has no targets in it (only comments or headers)"
    };
    InputError::File {
        file: path.into(),
        message: message.into(),
    }
}

/// An input opened for reading: a regular file (kept, to be read again), or stdin or a pipe
/// (bounded in lines, and copied to a temporary file when `spool`).
struct Opened {
    guard: Guard<Box<dyn Read>>,
    /// The regular file and its size and modification time when opened.
    file: Option<(std::fs::File, Stamp)>,
}

/// A file's size and modification time: reading it again checks it did not change.
type Stamp = (u64, Option<std::time::SystemTime>);

fn stamp(file: &std::fs::File) -> std::io::Result<Stamp> {
    let meta = file.metadata()?;
    Ok((meta.len(), meta.modified().ok()))
}

impl Opened {
    fn open(path: &str, spool: bool) -> Result<Opened, InputError> {
        let io_err = |source| InputError::Io {
            file: path.to_string(),
            source,
        };
        let (reader, file): (Box<dyn Read>, _) = if path == "-" {
            (Box::new(std::io::stdin().lock()), None)
        } else {
            let file = std::fs::File::open(Path::new(path)).map_err(io_err)?;
            let meta = file.metadata().map_err(io_err)?;
            if meta.is_file() {
                if meta.len() > MAX_INPUT_BYTES {
                    return Err(InputError::File {
                        file: path.into(),
                        message: format!(
                            "is {} bytes; at most {MAX_INPUT_BYTES} are read",
                            meta.len()
                        ),
                    });
                }
                let reading = file.try_clone().map_err(io_err)?;
                let stamp = stamp(&file).map_err(io_err)?;
                (Box::new(reading), Some((file, stamp)))
            } else {
                // A pipe (`<(...)`), a FIFO, a device: read once, like stdin.
                (Box::new(file), None)
            }
        };
        let mut guard = Guard::new(reader, path, file.is_none());
        if spool && file.is_none() {
            guard.spool_to(tempfile::tempfile().map_err(io_err)?);
        }
        Ok(Opened { guard, file })
    }
}

/// Parses positional TARGET arguments; each one's provenance is `argv` and its 1-based position.
pub fn parse_args(specs: &[String]) -> Result<Vec<Target>, InputError> {
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let mut target =
                Target::parse_spec(spec).map_err(|m| InputError::invalid("argv", i + 1, m))?;
            target.provenance.file = Some("argv".into());
            target.provenance.line = Some(i + 1);
            Ok(target)
        })
        .collect()
}

/// Gathers positional targets and input files, merging duplicates (first one wins).
/// [`InputError::NoTargets`] when there is nothing to scan. CloudFront exports are read without
/// origin request policies, and their skipped origins and warnings are dropped: see
/// [`gather_all`].
pub fn gather(specs: &[String], files: &[String]) -> Result<Vec<Target>, InputError> {
    let gathered = gather_all(specs, files, &OriginRequestPolicies::default())?;
    if gathered.targets.is_empty() {
        return Err(InputError::NoTargets);
    }
    Ok(gathered.targets)
}

/// Gathers positional targets and input files, CloudFront exports read with `policies`:
/// targets (duplicates merged, first one wins), skipped origins and warnings.
/// [`InputError::NoTargets`] only when the inputs give neither targets nor skipped origins nor
/// notes: an export whose origins are all skipped is returned, so that the caller can report
/// them, and so is an export of an account without distributions (a note says so).
pub fn gather_all(
    specs: &[String],
    files: &[String],
    policies: &OriginRequestPolicies,
) -> Result<Gathered, InputError> {
    let mut gathered = Gathered {
        targets: parse_args(specs)?,
        ..Gathered::default()
    };
    for file in files {
        let one = read_input(file, policies)?;
        gathered.targets.extend(one.targets);
        for skipped in one.skipped {
            if !gathered.skipped.contains(&skipped) {
                gathered.skipped.push(skipped);
            }
        }
        gathered.warnings.extend(one.warnings);
        gathered.notes.extend(one.notes);
    }
    if gathered.targets.is_empty() && gathered.skipped.is_empty() && gathered.notes.is_empty() {
        return Err(InputError::NoTargets);
    }
    gathered.targets = dedupe(gathered.targets);
    Ok(gathered)
}

/// A CloudFront export held in memory (what `scan --aws` read), with the name its targets'
/// provenance and its errors give.
#[derive(Debug, Clone)]
pub struct MemoryExport {
    /// The name in provenance and messages (`--aws-save`'s path, or `aws:cloudfront`).
    pub name: String,
    /// The export's JSON.
    pub content: Vec<u8>,
}

/// Which targets a plan keeps (`--shard`): a target it refuses is neither counted nor scanned.
pub type Keep = Box<dyn Fn(&Target) -> bool + Send + Sync>;

/// The first pass over the inputs ([`plan`]): every line checked, the distinct targets counted
/// and fingerprinted; [`TargetPlan::into_targets`] reads them again for the scan.
pub struct TargetPlan {
    segments: Vec<Segment>,
    keys: KeySet,
    keep: Keep,
    /// CloudFront origins that are not scanned (S3 REST, VPC), with the reason; not filtered
    /// by `keep`.
    pub skipped: Vec<SkippedOrigin>,
    /// Warnings, each naming its file.
    pub warnings: Vec<String>,
    /// Notes, each naming its file (an export of an account without distributions).
    pub notes: Vec<String>,
}

/// One input, in order: targets held (positional ones, a CloudFront export's), or a list or
/// table to read again.
enum Segment {
    Held(Vec<Target>),
    Stream {
        name: String,
        format: InputFormat,
        file: std::fs::File,
        /// A regular file's size and time when first read (a spool file has none).
        stamp: Option<Stamp>,
    },
}

/// The distinct targets as 128-bit fingerprints of their identity (two SipHash keys drawn at
/// random per run): 16 bytes a target instead of the target. Two distinct targets share a
/// fingerprint with a probability under 10^-24 for ten million targets.
struct KeySet {
    seen: HashSet<u128>,
    hashers: (RandomState, RandomState),
}

impl KeySet {
    fn new() -> KeySet {
        KeySet {
            seen: HashSet::new(),
            hashers: (RandomState::new(), RandomState::new()),
        }
    }

    fn fingerprint(&self, target: &Target) -> u128 {
        let key = (
            &target.origin,
            target.https_port,
            target.http_port,
            target.policy,
            &target.host_header,
            &target.sni,
            &target.provenance.distribution_id,
            &target.provenance.origin_id,
        );
        (u128::from(self.hashers.0.hash_one(key)) << 64) | u128::from(self.hashers.1.hash_one(key))
    }
}

/// Reads every input once (positional targets, then files in order), as [`gather_all`] does,
/// and plans the scan of the targets `keep` accepts without holding the lists: a list or a
/// table is read again by [`TargetPlan::into_targets`]. `visit` sees each distinct accepted
/// target once, in order. Errors are those of [`gather_all`], all before any traffic.
/// `exports` are CloudFront exports already in memory (`scan --aws`), read after the
/// positional targets and before the files.
pub fn plan(
    specs: &[String],
    exports: &[MemoryExport],
    files: &[String],
    policies: &OriginRequestPolicies,
    keep: Keep,
    visit: &mut dyn FnMut(&Target),
) -> Result<TargetPlan, InputError> {
    let mut plan = TargetPlan {
        segments: Vec::new(),
        keys: KeySet::new(),
        keep,
        skipped: Vec::new(),
        warnings: Vec::new(),
        notes: Vec::new(),
    };
    let mut parsed = 0;
    let mut admit = |keys: &mut KeySet, keep: &Keep, target: &Target| {
        parsed += 1;
        if keep(target) && keys.seen.insert(keys.fingerprint(target)) {
            visit(target);
            true
        } else {
            false
        }
    };
    let mut held: Vec<Target> = parse_args(specs)?;
    held.retain(|t| admit(&mut plan.keys, &plan.keep, t));
    plan.segments.push(Segment::Held(held));
    for export in exports {
        let name = export.name.as_str();
        let import = cloudfront::parse(name, &export.content, policies)?;
        if import.distributions == 0 {
            plan.notes.push(format!(
                "{name}: the account holds no distribution: nothing to scan in it"
            ));
        }
        let mut targets = import.targets;
        targets.retain(|t| admit(&mut plan.keys, &plan.keep, t));
        plan.segments.push(Segment::Held(targets));
        for skipped in import.skipped {
            if !plan.skipped.contains(&skipped) {
                plan.skipped.push(skipped);
            }
        }
        plan.warnings.extend(import.warnings);
    }
    for path in files {
        let opened = Opened::open(path, true)?;
        let (keys, keep) = (&mut plan.keys, &plan.keep);
        let (parsed_one, mut guard) = parse_from(path, opened.guard, policies, &mut |t| {
            admit(keys, keep, &t);
        })?;
        match parsed_one {
            Parsed::Export(mut one) => {
                if one.targets.is_empty() && one.skipped.is_empty() && one.notes.is_empty() {
                    return Err(nothing_in(path, guard.is_blank()));
                }
                one.targets.retain(|t| admit(&mut plan.keys, &plan.keep, t));
                plan.segments.push(Segment::Held(one.targets));
                for skipped in one.skipped {
                    if !plan.skipped.contains(&skipped) {
                        plan.skipped.push(skipped);
                    }
                }
                plan.warnings.extend(one.warnings);
                plan.notes.extend(one.notes);
            }
            Parsed::Streamed { format, targets } => {
                if targets == 0 {
                    return Err(nothing_in(path, guard.is_blank()));
                }
                let io_err = |source| InputError::Io {
                    file: path.to_string(),
                    source,
                };
                let (file, stamp) = match (opened.file, guard.take_spool().map_err(io_err)?) {
                    (Some((file, stamp)), _) => (file, Some(stamp)),
                    (None, Some(spool)) => (spool, None),
                    (None, None) => unreachable_spool(path)?,
                };
                plan.segments.push(Segment::Stream {
                    name: path.clone(),
                    format,
                    file,
                    stamp,
                });
            }
        }
    }
    if parsed == 0 && plan.skipped.is_empty() && plan.notes.is_empty() {
        return Err(InputError::NoTargets);
    }
    Ok(plan)
}

/// Not reached: a stream is always spooled by [`plan`].
fn unreachable_spool(path: &str) -> Result<(std::fs::File, Option<Stamp>), InputError> {
    Err(InputError::File {
        file: path.into(),
        message: "could not be kept for the scan".into(),
    })
}

impl TargetPlan {
    /// The distinct targets the plan scans.
    pub fn len(&self) -> usize {
        self.keys.seen.len()
    }

    /// Whether the plan scans no target (every one was refused by `keep`, or only skipped
    /// origins were given).
    pub fn is_empty(&self) -> bool {
        self.keys.seen.is_empty()
    }

    /// The targets, read again one at a time in input order, each the first time it appears.
    pub fn into_targets(self) -> Targets {
        Targets {
            segments: self.segments.into_iter(),
            keys: self.keys,
            keep: self.keep,
            current: Reading::Between,
            error: None,
        }
    }
}

/// The planned targets as an iterator, reading lists and tables again as the scan takes them:
/// memory holds the input being read, one line of it, and the fingerprints not yet taken. If
/// an input cannot be read again as it was (it changed), the iterator ends and
/// [`Targets::finish`] says why.
pub struct Targets {
    segments: std::vec::IntoIter<Segment>,
    keys: KeySet,
    keep: Keep,
    current: Reading,
    error: Option<InputError>,
}

enum Reading {
    Between,
    Held(std::vec::IntoIter<Target>),
    Text(
        String,
        text_list::TextReader<BufReader<Guard<std::fs::File>>>,
    ),
    Csv(String, csv_table::CsvReader<Guard<std::fs::File>>),
}

impl Targets {
    /// `Ok` when every input was read again as it was first read.
    pub fn finish(self) -> Result<(), InputError> {
        self.error.map_or(Ok(()), Err)
    }

    fn open(segment: Segment) -> Result<Reading, InputError> {
        let (name, format, mut file, stamp) = match segment {
            Segment::Held(targets) => return Ok(Reading::Held(targets.into_iter())),
            Segment::Stream {
                name,
                format,
                file,
                stamp,
            } => (name, format, file, stamp),
        };
        let io_err = |source| InputError::Io {
            file: name.clone(),
            source,
        };
        if let Some(before) = stamp {
            if self::stamp(&file).map_err(io_err)? != before {
                return Err(changed(&name));
            }
        }
        file.rewind().map_err(io_err)?;
        let guard = Guard::new(file, &name, false);
        Ok(match format {
            InputFormat::Csv => {
                let reader = csv_table::CsvReader::new(&name, guard)?;
                Reading::Csv(name, reader)
            }
            _ => {
                let reader = text_list::TextReader::new(&name, BufReader::new(guard));
                Reading::Text(name, reader)
            }
        })
    }
}

fn changed(name: &str) -> InputError {
    InputError::File {
        file: name.into(),
        message: "changed while it was being scanned: scan it again".into(),
    }
}

impl Iterator for Targets {
    type Item = Target;

    fn next(&mut self) -> Option<Target> {
        while self.error.is_none() {
            let (name, row) = match &mut self.current {
                Reading::Between => {
                    let segment = self.segments.next()?;
                    match Targets::open(segment) {
                        Ok(reading) => self.current = reading,
                        Err(error) => self.error = Some(error),
                    }
                    continue;
                }
                Reading::Held(targets) => ("", Ok(targets.next().map(Ok))),
                Reading::Text(name, reader) => (name.as_str(), reader.next_row()),
                Reading::Csv(name, reader) => (name.as_str(), reader.next_row()),
            };
            match row {
                Ok(None) => self.current = Reading::Between,
                Ok(Some(Ok(target))) => {
                    if (self.keep)(&target)
                        && self.keys.seen.remove(&self.keys.fingerprint(&target))
                    {
                        return Some(target);
                    }
                }
                // The first reading found no bad line: the input changed since.
                Ok(Some(Err(_))) => self.error = Some(changed(name)),
                Err(error) => self.error = Some(error),
            }
        }
        None
    }
}

/// Drops later duplicates of a target (same origin, ports, policy, Host, SNI, and CloudFront
/// distribution and origin id).
pub fn dedupe(targets: Vec<Target>) -> Vec<Target> {
    let mut seen = HashSet::with_capacity(targets.len());
    targets
        .into_iter()
        .filter(|t| seen.insert(t.key()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_format_by_extension_then_content() {
        assert_eq!(InputFormat::detect("a.csv", b"x"), InputFormat::Csv);
        assert_eq!(
            InputFormat::detect("a.txt", b"origin,port"),
            InputFormat::Text
        );
        assert_eq!(
            InputFormat::detect("-", b"# c\norigin,port\n"),
            InputFormat::Csv
        );
        assert_eq!(
            InputFormat::detect("-", b"example.com\n"),
            InputFormat::Text
        );
    }

    #[test]
    fn binary_and_invalid_utf8_are_named() {
        let err = parse_bytes("f.txt", b"a.com\n\0\x01").unwrap_err();
        assert!(err.to_string().contains("binary"), "{err}");
        let err = parse_bytes("f.txt", b"a.com\nb\xff.com\n").unwrap_err();
        assert_eq!(err.to_string(), "f.txt:2: not valid UTF-8");
    }

    #[test]
    fn duplicates_are_merged() {
        let targets = gather(
            &[
                "a.example.com".into(),
                "A.example.com.".into(),
                "a.example.com:8443".into(),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(targets.len(), 2);
    }

    #[test]
    fn cloudfront_json_is_detected_by_extension_or_content() {
        assert_eq!(InputFormat::detect("a.json", b"x"), InputFormat::CloudFront);
        assert_eq!(InputFormat::detect("A.JSON", b""), InputFormat::CloudFront);
        assert_eq!(
            InputFormat::detect("-", b" \n\t{\"DistributionList\": {}}"),
            InputFormat::CloudFront
        );
        assert_eq!(
            InputFormat::detect("-", b"\xEF\xBB\xBF{}"),
            InputFormat::CloudFront
        );
        assert_eq!(InputFormat::detect("a.txt", b"{"), InputFormat::Text);
        assert_eq!(InputFormat::detect("a.csv", b"{"), InputFormat::Csv);

        let list = std::fs::read(FIXTURES.to_string() + "/list-distributions.json").unwrap();
        let targets = parse_bytes("-", &list).unwrap();
        assert_eq!(targets.len(), 7);
        let err = parse_bytes("x.json", b"{\"a\": 1}").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("x.json: is not a CloudFront export"),
            "{err}"
        );
        let err = parse_bytes("x.json", b"\xFF\xFE{\0").unwrap_err();
        assert!(err.to_string().contains("UTF-16"), "{err}");
    }

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cloudfront");

    #[test]
    fn gather_all_returns_targets_skipped_origins_and_warnings() {
        let list = format!("{FIXTURES}/list-distributions.json");
        let truncated = format!("{FIXTURES}/list-distributions-truncated.json");
        let policies =
            OriginRequestPolicies::read(&[format!("{FIXTURES}/origin-request-policy.json").into()])
                .unwrap();
        // The same export twice, and a page of it: merged, first one wins.
        let got = gather_all(
            &["web-a.origin.example.com:8443".into()],
            &[list.clone(), list.clone(), truncated.clone()],
            &policies,
        )
        .unwrap();
        assert_eq!(got.targets.len(), 8, "{:#?}", got.targets);
        assert_eq!(got.targets[0].provenance.file.as_deref(), Some("argv"));
        assert_eq!(
            got.targets[1].provenance.file.as_deref(),
            Some(list.as_str())
        );
        assert_eq!(got.skipped.len(), 2);
        assert_eq!(got.warnings.len(), 1);
        assert!(got.warnings[0].starts_with(&truncated));
        let legacy = got
            .targets
            .iter()
            .find(|t| t.provenance.origin_id.as_deref() == Some("api-legacy"))
            .unwrap();
        assert_eq!(
            legacy.host_forwarding,
            crate::target::HostForwarding::Forwarded
        );

        // `gather` keeps its old contract: targets only, policies unknown.
        let targets = gather(&[], &[list]).unwrap();
        assert_eq!(targets.len(), 7);
    }

    #[test]
    fn one_origin_in_two_distributions_is_two_targets() {
        let one = |id: &str, read_timeout: u32| {
            format!(
                r#"{{"Id": "{id}", "Origins": {{"Quantity": 1, "Items": [{{"Id": "o",
                "DomainName": "shared.example.com", "CustomOriginConfig": {{"HTTPPort": 80,
                "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
                "OriginReadTimeout": {read_timeout}}}}}]}},
                "DefaultCacheBehavior": {{"TargetOriginId": "o"}}}}"#
            )
        };
        let doc = format!(
            r#"{{"DistributionList": {{"Items": [{}, {}, {}]}}}}"#,
            one("E1", 30),
            one("E2", 60),
            one("E1", 90)
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        std::fs::write(&path, doc).unwrap();
        let got = gather_all(
            &[],
            &[path.display().to_string()],
            &OriginRequestPolicies::default(),
        )
        .unwrap();
        let timeouts: Vec<u64> = got
            .targets
            .iter()
            .map(|t| t.read_timeout.as_secs())
            .collect();
        assert_eq!(
            timeouts,
            vec![30, 60],
            "same distribution and origin: first one wins"
        );
    }

    #[test]
    fn an_export_with_only_skipped_origins_is_not_an_error_for_gather_all() {
        let doc = r#"{"DistributionList": {"Items": [{"Id": "E1", "Origins": {"Items": [
            {"Id": "s3", "DomainName": "b.s3.amazonaws.com", "S3OriginConfig": {}}]}}]}}"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        std::fs::write(&path, doc).unwrap();
        let files = [path.display().to_string()];
        let got = gather_all(&[], &files, &OriginRequestPolicies::default()).unwrap();
        assert!(got.targets.is_empty());
        assert_eq!(got.skipped.len(), 1);
        assert!(matches!(gather(&[], &files), Err(InputError::NoTargets)));
    }

    #[test]
    fn nothing_to_scan_is_an_error() {
        assert!(matches!(gather(&[], &[]), Err(InputError::NoTargets)));
    }
}
