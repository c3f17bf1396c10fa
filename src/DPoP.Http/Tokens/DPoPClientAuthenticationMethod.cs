namespace DPoP.Http;

/// <summary>How a client authenticates to the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2, RFC 8705 §2).</summary>
public enum DPoPClientAuthenticationMethod
{
    /// <summary><c>client_secret_basic</c>: client id and secret in an <c>Authorization: Basic</c> header (the default).</summary>
    ClientSecretBasic,

    /// <summary><c>client_secret_post</c>: client id and secret in the form body.</summary>
    ClientSecretPost,

    /// <summary><c>private_key_jwt</c>: a JWT assertion signed with the client's own key (not the DPoP key).</summary>
    PrivateKeyJwt,

    /// <summary><c>none</c>: a public client, identified by <c>client_id</c> only.</summary>
    None,

    /// <summary>
    /// <c>tls_client_auth</c> (RFC 8705 §2.1): mutual TLS with a certificate issued by a CA the authorization server
    /// trusts, registered by subject; the form carries <c>client_id</c> only. Configure the certificate on the token
    /// endpoint client's primary handler (<c>ConfigureDPoPTokenEndpointClient()</c>).
    /// </summary>
    TlsClientAuth,

    /// <summary>
    /// <c>self_signed_tls_client_auth</c> (RFC 8705 §2.2): mutual TLS with a self-signed certificate registered with
    /// the authorization server (in the client's JWK set); the form carries <c>client_id</c> only. Configure the
    /// certificate on the token endpoint client's primary handler (<c>ConfigureDPoPTokenEndpointClient()</c>).
    /// </summary>
    SelfSignedTlsClientAuth,
}
