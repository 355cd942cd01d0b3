//! Credentials as literals: where a value comes from and each auth kind.

use proc_macro2::TokenStream;
use quote::quote;
use restgen_runtime::descriptor::{ApiKeyLocation, AuthConfig, ValueRef};

use super::ToLiteral;

impl ToLiteral for ValueRef {
    fn literal(&self) -> TokenStream {
        let d = quote!(::restgen_runtime::descriptor::ValueRef);
        match self {
            // ValueRef::Literal(Cow::Borrowed("..."))
            ValueRef::Literal(v) => {
                let v = v.literal();
                quote!(#d::Literal(#v))
            }
            // ValueRef::Secret(Cow::Borrowed("api_key")): the name, never the value
            ValueRef::Secret(v) => {
                let v = v.literal();
                quote!(#d::Secret(#v))
            }
            // ValueRef::Config(Cow::Borrowed("region"))
            ValueRef::Config(v) => {
                let v = v.literal();
                quote!(#d::Config(#v))
            }
        }
    }
}

impl ToLiteral for AuthConfig {
    fn literal(&self) -> TokenStream {
        let d = quote!(::restgen_runtime::descriptor);
        match self {
            // AuthConfig::Bearer { token: ValueRef::Secret(..) }
            AuthConfig::Bearer { token } => {
                let token = token.literal();
                quote!(#d::AuthConfig::Bearer { token: #token })
            }
            AuthConfig::ApiKey {
                name,
                api_key,
                location,
                prefix,
            } => {
                let (name, key, prefix) = (name.literal(), api_key.literal(), prefix.literal());
                let location = match location {
                    ApiKeyLocation::Header => quote!(Header),
                    ApiKeyLocation::Query => quote!(Query),
                    ApiKeyLocation::Cookie => quote!(Cookie),
                };
                // AuthConfig::ApiKey { name: .., api_key: .., location: ApiKeyLocation::Header, prefix: .. }
                quote!(#d::AuthConfig::ApiKey {
                    name: #name,
                    api_key: #key,
                    location: #d::ApiKeyLocation::#location,
                    prefix: #prefix,
                })
            }
            // AuthConfig::HttpBasic { username: .., password: .. }
            AuthConfig::HttpBasic { username, password } => {
                let (u, p) = (username.literal(), password.literal());
                quote!(#d::AuthConfig::HttpBasic { username: #u, password: #p })
            }
            AuthConfig::OAuth2ClientCredentials {
                access_token_url,
                client_id,
                client_secret,
                access_token_request_data,
                default_token_expiration_secs,
            } => {
                let (url, id, secret) = (
                    access_token_url.literal(),
                    client_id.literal(),
                    client_secret.literal(),
                );
                let (data, expiry) = (
                    access_token_request_data.literal(),
                    default_token_expiration_secs.literal(),
                );
                // AuthConfig::OAuth2ClientCredentials { access_token_url: .., .. }
                quote!(#d::AuthConfig::OAuth2ClientCredentials {
                    access_token_url: #url,
                    client_id: #id,
                    client_secret: #secret,
                    access_token_request_data: #data,
                    default_token_expiration_secs: #expiry,
                })
            }
            AuthConfig::OAuth2RefreshToken {
                token_url,
                client_id,
                client_secret,
                refresh_token,
                token_request_data,
                default_token_expiration_secs,
            } => {
                let (url, id, secret, refresh) = (
                    token_url.literal(),
                    client_id.literal(),
                    client_secret.literal(),
                    refresh_token.literal(),
                );
                let (data, expiry) = (
                    token_request_data.literal(),
                    default_token_expiration_secs.literal(),
                );
                // AuthConfig::OAuth2RefreshToken { token_url: .., refresh_token: .., .. }
                quote!(#d::AuthConfig::OAuth2RefreshToken {
                    token_url: #url,
                    client_id: #id,
                    client_secret: #secret,
                    refresh_token: #refresh,
                    token_request_data: #data,
                    default_token_expiration_secs: #expiry,
                })
            }
            AuthConfig::SessionToken {
                login_url,
                username,
                password,
                token_path,
                header,
                session_token,
            } => {
                let (url, user, pass) =
                    (login_url.literal(), username.literal(), password.literal());
                let (path, header, token) = (
                    token_path.literal(),
                    header.literal(),
                    session_token.literal(),
                );
                // AuthConfig::SessionToken { login_url: .., token_path: .., header: .., .. }
                quote!(#d::AuthConfig::SessionToken {
                    login_url: #url,
                    username: #user,
                    password: #pass,
                    token_path: #path,
                    header: #header,
                    session_token: #token,
                })
            }
            // AuthConfig::Custom { name: Cow::Borrowed("signed") }
            AuthConfig::Custom { name } => {
                let name = name.literal();
                quote!(#d::AuthConfig::Custom { name: #name })
            }
        }
    }
}
