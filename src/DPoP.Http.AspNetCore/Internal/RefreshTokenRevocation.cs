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
    ILoggerFactory loggerFactory,
    DPoPWebMetrics metrics)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("DPoP.Http.AspNetCore");

    public async Task RevokeAsync(string scheme, UserSession session, string refreshToken, CancellationToken cancellationToken)
    {
        var dpop = dpopOptions.Get(scheme);
        if (!dpop.RevokeRefreshTokenOnSignOut)
        {
            DPoPWebLog.RevocationSkipped(_logger, scheme, "RevokeRefreshTokenOnSignOut is false");
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

            // RFC 7009 §2.1, authenticated as at the token endpoint (a fresh client assertion with private_key_jwt).
            var client = await endpoints.CreateTokenClientAsync(scheme, cancellationToken).ConfigureAwait(false);
            var key = await keys.GetForSessionAsync(scheme, session, cancellationToken).ConfigureAwait(false);
            try
            {
                using (AmbientDPoPKey.Use(key))
                {
                    await client.RevokeTokenAsync(refreshToken, "refresh_token", cancellationToken).ConfigureAwait(false);
                }
            }
            catch (DPoPTokenException ex)
            {
                metrics.Revocations.Add(1, new("dpop.scheme", scheme), new("outcome", "failure"));
                DPoPWebLog.RevocationFailed(_logger, scheme, ex.StatusCode is { } status ? $"{(int)status} {status}" : "no response");
                return;
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
