using Microsoft.Extensions.Logging;

namespace DPoP.Http.Docs.Snippets.Core;

#region custom-nonce-store
/// <summary>
/// A nonce store that wraps the built-in in-memory one and counts, per origin, how often servers hand out new
/// nonces. It completes synchronously, as a store on every request's path should.
/// </summary>
public sealed class LoggingNonceStore(ILogger<LoggingNonceStore> logger) : IDPoPNonceStore
{
    private readonly DPoPNonceStore _inner = new(capacity: 500, lifetime: TimeSpan.FromMinutes(10));

    public ValueTask<string?> GetNonceAsync(Uri requestUri, CancellationToken cancellationToken) =>
        new(_inner.GetNonce(requestUri));

    public ValueTask SetNonceAsync(Uri requestUri, string nonce, CancellationToken cancellationToken)
    {
        if (logger.IsEnabled(LogLevel.Debug) && _inner.GetNonce(requestUri) != nonce)
        {
            // The origin only: a nonce is never logged.
            logger.LogDebug("New DPoP nonce from {Origin}", requestUri.GetLeftPart(UriPartial.Authority));
        }

        _inner.SetNonce(requestUri, nonce);
        return ValueTask.CompletedTask;
    }
}
#endregion
