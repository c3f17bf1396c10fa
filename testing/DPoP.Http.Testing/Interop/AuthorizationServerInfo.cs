using System.Text.Json;

namespace DPoP.Http.Testing;

/// <summary>What tests/interop/as.mjs announces in its ready line.</summary>
public sealed record AuthorizationServerInfo(
    Uri Issuer,
    Uri TokenEndpoint,
    Uri IntrospectionEndpoint,
    Uri RevocationEndpoint,
    string JwtResource,
    string OpaqueResource,
    string Scope,
    IReadOnlyList<string> DPoPSigningAlgorithms,
    OAuthClient BasicClient,
    OAuthClient PostClient,
    OAuthClient PrivateKeyJwtClient,
    OAuthClient ResourceServerClient,
    Uri AuthorizationEndpoint,
    OAuthClient WebClient,
    OAuthClient WebPrivateKeyJwtClient,
    string WebScope,
    OAuthClient ExchangeClient)
{
    /// <summary>Reads the ready line as.mjs printed.</summary>
    public static AuthorizationServerInfo Parse(JsonElement ready)
    {
        var clients = ready.GetProperty("clients");
        return new AuthorizationServerInfo(
            new Uri(ready.GetProperty("issuer").GetString()!),
            new Uri(ready.GetProperty("tokenEndpoint").GetString()!),
            new Uri(ready.GetProperty("introspectionEndpoint").GetString()!),
            new Uri(ready.GetProperty("revocationEndpoint").GetString()!),
            ready.GetProperty("jwtResource").GetString()!,
            ready.GetProperty("opaqueResource").GetString()!,
            ready.GetProperty("scope").GetString()!,
            [.. ready.GetProperty("dpopSigningAlgValues").EnumerateArray().Select(a => a.GetString()!)],
            OAuthClient.Parse(clients.GetProperty("basic")),
            OAuthClient.Parse(clients.GetProperty("post")),
            OAuthClient.Parse(clients.GetProperty("privateKeyJwt")),
            OAuthClient.Parse(clients.GetProperty("rs")),
            new Uri(ready.GetProperty("authorizationEndpoint").GetString()!),
            OAuthClient.Parse(clients.GetProperty("web")),
            OAuthClient.Parse(clients.GetProperty("webPrivateKeyJwt")) with { PrivateJwk = clients.GetProperty("privateKeyJwt").GetProperty("privateJwk").GetRawText() },
            ready.GetProperty("webScope").GetString()!,
            OAuthClient.Parse(clients.GetProperty("exchange")));
    }
}
