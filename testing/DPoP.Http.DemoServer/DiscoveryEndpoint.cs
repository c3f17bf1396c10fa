using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.DemoServer;

/// <summary>
/// <c>GET /.well-known/openid-configuration</c> (OpenID Connect Discovery 1.0, RFC 8414) and <c>GET /jwks</c>
/// (the public keys of ID tokens and access tokens, RFC 7517).
/// </summary>
internal sealed class DiscoveryEndpoint
{
    private readonly DemoServerSettings _settings;
    private readonly AccessTokenService _accessTokens;
    private readonly IdTokenService _idTokens;

    public DiscoveryEndpoint(DemoServerSettings settings, AccessTokenService accessTokens, IdTokenService idTokens)
    {
        _settings = settings;
        _accessTokens = accessTokens;
        _idTokens = idTokens;
    }

    public Task HandleConfigurationAsync(HttpContext context)
    {
        var issuer = DemoServer.IssuerFor(context);
        return WriteAsync(context, writer =>
        {
            writer.WriteString("issuer", issuer);
            writer.WriteString("authorization_endpoint", issuer + DemoServer.AuthorizationPath);
            writer.WriteString("token_endpoint", issuer + DemoServer.TokenPath);
            writer.WriteString("jwks_uri", issuer + DemoServer.JwksPath);
            writer.WriteString("pushed_authorization_request_endpoint", issuer + DemoServer.PushedAuthorizationPath);
            writer.WriteBoolean("require_pushed_authorization_requests", _settings.RequirePushedAuthorizationRequests);
            writer.WriteString("revocation_endpoint", issuer + DemoServer.RevocationPath);
            writer.WriteString("end_session_endpoint", issuer + DemoServer.EndSessionPath);
            WriteArray(writer, "response_types_supported", "code");
            WriteArray(writer, "response_modes_supported", "query", "form_post");
            WriteArray(writer, "grant_types_supported", "authorization_code", "refresh_token", "client_credentials");
            WriteArray(writer, "subject_types_supported", "public");
            WriteArray(writer, "id_token_signing_alg_values_supported", "RS256");
            WriteArray(writer, "token_endpoint_auth_methods_supported", "client_secret_basic", "client_secret_post");
            WriteArray(writer, "revocation_endpoint_auth_methods_supported", "client_secret_basic", "client_secret_post");
            WriteArray(writer, "code_challenge_methods_supported", "S256");
            WriteArray(writer, "scopes_supported", "openid", "profile", "email", "offline_access");
            WriteArray(writer, "claims_supported", "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "email");
            WriteArray(writer, "dpop_signing_alg_values_supported", [.. _settings.AllowedAlgorithms]);
            writer.WriteBoolean("authorization_response_iss_parameter_supported", true);
        });
    }

    public Task HandleJwksAsync(HttpContext context) => WriteAsync(context, writer =>
    {
        writer.WriteStartArray("keys");
        _idTokens.WritePublicJwk(writer);
        _accessTokens.WritePublicJwk(writer);
        writer.WriteEndArray();
    });

    private static Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> writeMembers) =>
        OAuthResponses.WriteJsonAsync(context.Response, StatusCodes.Status200OK, writeMembers);

    private static void WriteArray(Utf8JsonWriter writer, string name, params string[] values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
