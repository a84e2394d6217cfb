//! TLS alert descriptions (IANA TLS Alerts registry): the names reports show, and the alerts
//! that steer CloudFront's hellos. The probe chooses its follow-up hello and the check reads the
//! reply from these same constants, so the two cannot drift apart.

/// protocol_version: the origin refuses the offered version (another hello may follow).
pub const PROTOCOL_VERSION: u8 = 70;

/// handshake_failure, insufficient_security, illegal_parameter: "nothing in your offer suits
/// me" (no common suite, group or signature scheme).
pub const REFUSALS: &[u8] = &[40, 71, 47];

/// Whether `code` says the offer as a whole was refused ([`REFUSALS`]).
pub fn is_refusal(code: u8) -> bool {
    REFUSALS.contains(&code)
}

/// The name of an alert description (IANA TLS Alerts registry), `unknown` if unassigned.
pub fn alert_name(code: u8) -> &'static str {
    match code {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        41 => "no_certificate",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        52 => "too_many_cids_requested",
        60 => "export_restriction",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        111 => "certificate_unobtainable",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        114 => "bad_certificate_hash_value",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        117 => "general_error",
        120 => "no_application_protocol",
        121 => "ech_required",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_refusals() {
        assert_eq!(alert_name(PROTOCOL_VERSION), "protocol_version");
        assert_eq!(
            REFUSALS.iter().map(|c| alert_name(*c)).collect::<Vec<_>>(),
            [
                "handshake_failure",
                "insufficient_security",
                "illegal_parameter"
            ]
        );
        assert!(is_refusal(40) && !is_refusal(PROTOCOL_VERSION) && !is_refusal(112));
    }
}
