using DPoP.Http.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Revokes a session's refresh token at sign-out (RFC 7009) at the revocation endpoint of the scheme's discovery
/// document, authenticated as at the token endpoint and sent with a proof of the session's key. Failures (and a revocation
/// slower than RevocationTimeout) are logged and counted, never thrown: sign-out goes on and the session's tokens are dropped whatever the provider says.
/// </summary>
internal sealed class RefreshTokenRevocation(
    SessionKeys keys,
    SchemeEndpoints endpoints,
    IOptionsMonitor<DPoPOpenIdConnectOptions> dpopOptions,
    ILoggerFactory loggerFactory,
    DPoPWebMetrics metrics)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(DPoPTelemetryNames.WebLogCategory);

    public async Task RevokeAsync(string scheme, UserSession session, string refreshToken, CancellationToken cancellationToken)
    {
        var dpop = dpopOptions.Get(scheme);
        if (!dpop.RevokeRefreshTokenOnSignOut)
        {
            DPoPWebLog.RevocationSkipped(_logger, scheme, "RevokeRefreshTokenOnSignOut is false");
            return;
        }

        // Bounded: a hanging revocation endpoint must not hold the user's sign-out (HttpClient's own default is 100 s).
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(dpop.RevocationTimeout);
        try
        {
            var endpoint = await endpoints.GetRevocationEndpointAsync(scheme, bound.Token).ConfigureAwait(false);
            if (endpoint is null)
            {
                DPoPWebLog.RevocationSkipped(_logger, scheme, "the provider's discovery document has no revocation_endpoint");
                return;
            }

            // RFC 7009 §2.1, authenticated as at the token endpoint (a fresh client assertion with private_key_jwt).
            var key = await keys.GetForSessionAsync(scheme, session, bound.Token).ConfigureAwait(false);
            try
            {
                var client = await endpoints.CreateTokenClientAsync(scheme, key, bound.Token).ConfigureAwait(false);
                await client.RevokeTokenAsync(refreshToken, "refresh_token", bound.Token).ConfigureAwait(false);
            }
            finally
            {
                if (SessionKeys.IsOwnedByCaller(session))
                {
                    key.Dispose();
                }
            }

            DPoPWebMetrics.Record(metrics.Revocations, scheme);
            DPoPWebLog.Revoked(_logger, scheme);
        }
        catch (Exception ex) when (ex is DPoPTokenException or HttpRequestException or InvalidOperationException or IOException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Sign-out goes on: the tokens are dropped here whatever the provider says.
            var failure = ex is OperationCanceledException && bound.IsCancellationRequested ? new TimeoutException() : ex;
            DPoPWebMetrics.Record(metrics.Revocations, scheme, failure);
            DPoPWebLog.RevocationFailed(_logger, scheme, DPoPWebMetrics.ErrorType(failure));
        }
    }
}
