//! `originscan scan --aws`: the account's distributions and the policies their behaviors name,
//! read from the CloudFront API with the AWS SDK for Rust, and handed to the export reader as
//! the JSON the AWS CLI prints (`convert.rs`), so that the scan is the one an export gives.
//!
//! - Credentials and region come from the SDK's default chain (environment, `--profile` or
//!   `AWS_PROFILE`, SSO, web identity, the container or instance role); `AWS_ENDPOINT_URL` and
//!   `AWS_ENDPOINT_URL_CLOUDFRONT` are honoured by the SDK. The HTTP client is the smithy
//!   client on rustls with ring (the TLS stack the crate already has).
//! - Every page of `ListDistributions` is read (Marker / NextMarker). A page that fails, or a
//!   listing that says it goes on without saying where, is an error: the account is never
//!   scanned in part as if it were whole.
//! - The origin request and cache policies named by any behavior, AWS-managed ones included,
//!   are read with `ListOriginRequestPolicies` and `ListCachePolicies` (every type, every
//!   page); the lists are not asked for when no behavior names a policy.
//! - Errors name the IAM action refused (`cloudfront:ListDistributions`, ...), say when
//!   CloudFront throttled the calls past the SDK's retries, and when no credentials were found.
//! - Every call has bounded timeouts (connect, per attempt, per operation).

mod convert;

use std::collections::BTreeSet;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_cloudfront::config::http::HttpResponse;
use aws_sdk_cloudfront::config::ProvideCredentials;
use aws_sdk_cloudfront::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfront::Client;
use serde_json::Value;

/// Attempts per call, the first included (the SDK's standard retry mode: throttling and
/// transient errors are retried with exponential backoff and jitter).
pub(crate) const MAX_ATTEMPTS: u32 = 3;
/// Connecting to the API.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// One attempt of one call.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);
/// One call, every attempt and backoff included.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(180);
/// Pages of one listing at most (100 distributions a page by default: a million).
const MAX_PAGES: usize = 10_000;

/// What went wrong reading the account. Each is exit 2.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// The SDK's chain found no credentials.
    #[error(
        "--aws: no AWS credentials found ({detail}); set AWS_ACCESS_KEY_ID and \
         AWS_SECRET_ACCESS_KEY, give --profile NAME (or AWS_PROFILE), or run where the SDK's \
         default chain finds them (SSO, web identity, the container or instance role)"
    )]
    NoCredentials {
        /// The chain's own account of what it tried.
        detail: String,
    },
    /// The credentials could not be loaded (a profile that does not exist, SSO expired, ...).
    #[error("--aws: the AWS credentials could not be loaded: {detail}")]
    Credentials {
        /// The provider's error.
        detail: String,
    },
    /// An action was refused: the credentials lack the IAM permission.
    #[error(
        "--aws: access denied: {action} was refused ({code}: {message}); the credentials need \
         the IAM permission {action} (the README's \"Reading the account with --aws\" has the \
         minimal policy)"
    )]
    AccessDenied {
        /// The IAM action, `cloudfront:ListDistributions`.
        action: &'static str,
        /// The API's error code.
        code: String,
        /// The API's message.
        message: String,
    },
    /// The credentials were refused as such (unknown key, bad signature, expired token).
    #[error("--aws: {action}: the credentials were refused ({code}: {message})")]
    BadCredentials {
        /// The IAM action of the call.
        action: &'static str,
        /// The API's error code.
        code: String,
        /// The API's message.
        message: String,
    },
    /// CloudFront kept throttling the calls past the SDK's retries.
    #[error(
        "--aws: CloudFront throttled {action} and {attempts} attempts with backoff did not get \
         through ({code}: {message}); run again later, when other clients of the account's \
         CloudFront API are quieter"
    )]
    Throttled {
        /// The IAM action of the call.
        action: &'static str,
        /// Attempts made.
        attempts: u32,
        /// The API's error code.
        code: String,
        /// The API's message.
        message: String,
    },
    /// Any other failure of a call (the network, a timeout, an error of the API).
    #[error("--aws: {action} failed: {detail}")]
    Call {
        /// The IAM action of the call.
        action: &'static str,
        /// What the SDK said, with its causes.
        detail: String,
    },
    /// The listing of distributions stopped before its end.
    #[error(
        "--aws: the listing of distributions stopped on page {page}, after {distributions} \
         distribution(s): {source}; nothing is scanned: a part of the account is never \
         scanned as if it were the whole"
    )]
    Partial {
        /// The page that failed (1-based).
        page: usize,
        /// Distributions read before it.
        distributions: usize,
        /// Why it stopped.
        #[source]
        source: Box<AwsError>,
    },
    /// A listing said it goes on but not where, or went round in a circle.
    #[error("--aws: {action}: {message}")]
    Listing {
        /// The IAM action of the listing.
        action: &'static str,
        /// What was wrong with the pages.
        message: String,
    },
    /// `--aws-save FILE` could not be written.
    #[error("--aws-save {path}: {source}")]
    Save {
        /// The path as given.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
}

/// The account as read: the export's JSON (the shape `-i` reads) and what it holds.
#[derive(Debug)]
pub struct AccountExport {
    /// `{"DistributionList": ..., "OriginRequestPolicyList": ..., "CachePolicyList": ...}`.
    pub json: Vec<u8>,
    /// Distributions listed.
    pub distributions: usize,
    /// Pages of `ListDistributions` read.
    pub pages: usize,
    /// Policies kept (those the behaviors name).
    pub policies: usize,
}

/// Reads the account: every distribution, and the policies its behaviors name.
pub async fn read_account(profile: Option<&str>) -> Result<AccountExport, AwsError> {
    let client = client(profile).await?;
    let mut items: Vec<Value> = Vec::new();
    let mut pages = 0;
    let mut marker: Option<String> = None;
    let mut seen_markers = BTreeSet::new();
    let mut policy_ids = BTreeSet::new();
    loop {
        pages += 1;
        let partial = |source: AwsError, distributions: usize| AwsError::Partial {
            page: pages,
            distributions,
            source: Box::new(source),
        };
        if pages > MAX_PAGES {
            return Err(partial(
                listing_error(format!("more than {MAX_PAGES} pages")),
                items.len(),
            ));
        }
        let page = client
            .list_distributions()
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(|e| partial(call_error(LIST_DISTRIBUTIONS, e), items.len()))?;
        let Some(list) = page.distribution_list else {
            return Err(partial(
                listing_error("a page without a DistributionList".into()),
                items.len(),
            ));
        };
        for summary in list.items.iter().flatten() {
            for behavior in summary
                .default_cache_behavior
                .iter()
                .map(|b| (&b.cache_policy_id, &b.origin_request_policy_id))
                .chain(
                    summary
                        .cache_behaviors
                        .iter()
                        .flat_map(|b| b.items.iter().flatten())
                        .map(|b| (&b.cache_policy_id, &b.origin_request_policy_id)),
                )
            {
                for id in [behavior.0, behavior.1].into_iter().flatten() {
                    if !id.trim().is_empty() {
                        policy_ids.insert(id.trim().to_ascii_lowercase());
                    }
                }
            }
            items.push(convert::distribution(summary));
        }
        if !list.is_truncated {
            break;
        }
        match list.next_marker.filter(|m| !m.is_empty()) {
            Some(next) if seen_markers.insert(next.clone()) => marker = Some(next),
            Some(next) => {
                return Err(partial(
                    listing_error(format!("NextMarker {next:?} came back a second time")),
                    items.len(),
                ))
            }
            None => {
                return Err(partial(
                    listing_error("IsTruncated is true but the page has no NextMarker".into()),
                    items.len(),
                ))
            }
        }
    }
    let distributions = items.len();
    let mut export = serde_json::Map::new();
    export.insert("DistributionList".into(), convert::distribution_list(items));
    let mut policies = 0;
    if !policy_ids.is_empty() {
        let (origin_request, cache) = read_policies(&client, &policy_ids).await?;
        policies = origin_request.1 + cache.1;
        export.insert("OriginRequestPolicyList".into(), origin_request.0);
        export.insert("CachePolicyList".into(), cache.0);
    }
    let mut json = serde_json::to_vec_pretty(&Value::Object(export)).unwrap_or_default();
    json.push(b'\n');
    Ok(AccountExport {
        json,
        distributions,
        pages,
        policies,
    })
}

const LIST_DISTRIBUTIONS: &str = "cloudfront:ListDistributions";
const LIST_ORIGIN_REQUEST_POLICIES: &str = "cloudfront:ListOriginRequestPolicies";
const LIST_CACHE_POLICIES: &str = "cloudfront:ListCachePolicies";

fn listing_error(message: String) -> AwsError {
    AwsError::Listing {
        action: LIST_DISTRIBUTIONS,
        message,
    }
}

/// Both policy lists, each with how many policies it kept: every page of every type, the
/// policies in `ids` kept.
async fn read_policies(
    client: &Client,
    ids: &BTreeSet<String>,
) -> Result<((Value, usize), (Value, usize)), AwsError> {
    let wanted = |id: &str| ids.contains(&id.trim().to_ascii_lowercase());
    let mut origin_request = Vec::new();
    let mut marker: Option<String> = None;
    for page in 1.. {
        let out = client
            .list_origin_request_policies()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| call_error(LIST_ORIGIN_REQUEST_POLICIES, e))?;
        let list = out.origin_request_policy_list;
        for summary in list.iter().flat_map(|l| l.items.iter().flatten()) {
            if let Some(policy) = &summary.origin_request_policy {
                if wanted(&policy.id) {
                    origin_request.push((summary.r#type.as_str().to_string(), policy.clone()));
                }
            }
        }
        marker = list.and_then(|l| l.next_marker).filter(|m| !m.is_empty());
        if marker.is_none() {
            break;
        }
        if page >= MAX_PAGES {
            return Err(AwsError::Listing {
                action: LIST_ORIGIN_REQUEST_POLICIES,
                message: format!("more than {MAX_PAGES} pages"),
            });
        }
    }
    let mut cache = Vec::new();
    for page in 1.. {
        let out = client
            .list_cache_policies()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| call_error(LIST_CACHE_POLICIES, e))?;
        let list = out.cache_policy_list;
        for summary in list.iter().flat_map(|l| l.items.iter().flatten()) {
            if let Some(policy) = &summary.cache_policy {
                if wanted(&policy.id) {
                    cache.push((summary.r#type.as_str().to_string(), policy.clone()));
                }
            }
        }
        marker = list.and_then(|l| l.next_marker).filter(|m| !m.is_empty());
        if marker.is_none() {
            break;
        }
        if page >= MAX_PAGES {
            return Err(AwsError::Listing {
                action: LIST_CACHE_POLICIES,
                message: format!("more than {MAX_PAGES} pages"),
            });
        }
    }
    let origin_request_refs: Vec<_> = origin_request.iter().map(|(t, p)| (t.clone(), p)).collect();
    let cache_refs: Vec<_> = cache.iter().map(|(t, p)| (t.clone(), p)).collect();
    Ok((
        (
            convert::origin_request_policy_list(&origin_request_refs),
            origin_request.len(),
        ),
        (convert::cache_policy_list(&cache_refs), cache.len()),
    ))
}

/// The CloudFront client from the SDK's default chain, its credentials resolved first so that
/// their absence is said as such.
async fn client(profile: Option<&str>) -> Result<Client, AwsError> {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    let config = loader.load().await;
    let Some(provider) = config.credentials_provider() else {
        return Err(AwsError::NoCredentials {
            detail: "no credentials provider".into(),
        });
    };
    if let Err(error) = provider.provide_credentials().await {
        use aws_credential_types::provider::error::CredentialsError;
        let detail = DisplayErrorContext(&error).to_string();
        return Err(match error {
            CredentialsError::CredentialsNotLoaded(_) => AwsError::NoCredentials { detail },
            _ => AwsError::Credentials { detail },
        });
    }
    Ok(Client::new(&config))
}

/// Codes of a throttled call (CloudFront's is `Throttling`).
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
];

/// Codes of refused credentials.
const CREDENTIAL_CODES: &[&str] = &[
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "IncompleteSignature",
];

/// One failed call as an [`AwsError`] naming its IAM action.
fn call_error<E>(action: &'static str, error: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = error.raw_response().map(|r| r.status().as_u16());
    let code = error.code().unwrap_or_default().to_string();
    let message = error.message().unwrap_or_default().to_string();
    let http_429 = status == Some(429);
    if code == "AccessDenied" || code == "AccessDeniedException" {
        return AwsError::AccessDenied {
            action,
            code,
            message,
        };
    }
    if THROTTLING_CODES.contains(&code.as_str()) || (code.is_empty() && http_429) {
        return AwsError::Throttled {
            action,
            attempts: MAX_ATTEMPTS,
            code,
            message,
        };
    }
    if CREDENTIAL_CODES.contains(&code.as_str()) {
        return AwsError::BadCredentials {
            action,
            code,
            message,
        };
    }
    AwsError::Call {
        action,
        detail: DisplayErrorContext(&error).to_string(),
    }
}
