using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Revokes a session's refresh token at sign-out (RFC 7009) at the revocation endpoint of the scheme's discovery
/// document, authenticated as at the token endpoint and sent with a proof of the session's key. Failures are logged
/// and counted, never thrown: sign-out goes on and the session's tokens are dropped whatever the provider says.
/// </summary>
internal sealed class RefreshTokenRevocation(
    SessionKeys keys,
    SchemeEndpoints endpoints,
    IOptionsMonitor<DPoPOpenIdConnectOptions> dpopOptions,
    IOptionsMonitor<OpenIdConnectOptions> oidcOptions,
    ILoggerFactory loggerFactory,
    DPoPWebMetrics metrics)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("DPoP.Http.AspNetCore");

    public async Task RevokeAsync(string scheme, UserSession session, string refreshToken, CancellationToken cancellationToken)
    {
        var oidc = oidcOptions.Get(scheme);
        var dpop = dpopOptions.Get(scheme);
        var method = SchemeEndpoints.ClientAuthentication(oidc, dpop);
        if (!dpop.RevokeRefreshTokenOnSignOut)
        {
            DPoPWebLog.RevocationSkipped(_logger, scheme, "RevokeRefreshTokenOnSignOut is false");
            return;
        }

        if (method == DPoPClientAuthenticationMethod.PrivateKeyJwt)
        {
            DPoPWebLog.RevocationSkipped(_logger, scheme, "revocation with private_key_jwt is not supported yet");
            return;
        }

        try
        {
            var endpoint = await endpoints.GetRevocationEndpointAsync(scheme, cancellationToken).ConfigureAwait(false);
            if (endpoint is null)
            {
                DPoPWebLog.RevocationSkipped(_logger, scheme, "the provider's discovery document has no revocation_endpoint");
                return;
            }

            // RFC 7009 §2.1, authenticated as at the token endpoint (RFC 6749 §2.3.1: form-encode basic credentials).
            var form = new List<KeyValuePair<string, string>> { new("token", refreshToken), new("token_type_hint", "refresh_token") };
            using var revocation = new HttpRequestMessage(HttpMethod.Post, endpoint);
            switch (method)
            {
                case DPoPClientAuthenticationMethod.ClientSecretBasic:
                    var credentials = $"{Uri.EscapeDataString(oidc.ClientId!)}:{Uri.EscapeDataString(oidc.ClientSecret!)}";
                    revocation.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
                    break;
                case DPoPClientAuthenticationMethod.ClientSecretPost:
                    form.Add(new("client_id", oidc.ClientId!));
                    form.Add(new("client_secret", oidc.ClientSecret!));
                    break;
                default:
                    form.Add(new("client_id", oidc.ClientId!));
                    break;
            }

            revocation.Content = new FormUrlEncodedContent(form);
            var key = await keys.GetForSessionAsync(scheme, session, cancellationToken).ConfigureAwait(false);
            try
            {
                using (AmbientDPoPKey.Use(key))
                {
                    using var response = await endpoints.CreateHttpClient(scheme).SendAsync(revocation, cancellationToken).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        metrics.Revocations.Add(1, new("dpop.scheme", scheme), new("outcome", "failure"));
                        DPoPWebLog.RevocationFailed(_logger, scheme, $"{(int)response.StatusCode} {response.StatusCode}");
                        return;
                    }
                }
            }
            finally
            {
                if (SessionKeys.IsOwnedByCaller(session))
                {
                    key.Dispose();
                }
            }

            metrics.Revocations.Add(1, new("dpop.scheme", scheme), new("outcome", "success"));
            DPoPWebLog.Revoked(_logger, scheme);
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or IOException or TaskCanceledException)
        {
            // Sign-out goes on: the tokens are dropped here whatever the provider says.
            metrics.Revocations.Add(1, new("dpop.scheme", scheme), new("outcome", "failure"));
            DPoPWebLog.RevocationFailed(_logger, scheme, ex.GetType().Name);
        }
    }
}
