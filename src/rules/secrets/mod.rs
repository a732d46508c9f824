//! S rules: every Secret, ConfigMap, ServiceAccount, key and variable a release refers to
//! exists where it runs — and no secret sits in plain text.

pub mod compose_file_missing;
pub mod compose_secret_undefined;
pub mod compose_variable_unset;
pub mod env_drift;
pub mod env_duplicate_key;
pub mod env_key_missing;
pub mod missing_key;
pub mod missing_object;
pub mod missing_service_account;
pub mod name_not_rewritten;
pub mod plaintext_secret;
pub mod unencrypted_secret;
