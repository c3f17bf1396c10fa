using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// The token code's log messages, event ids 100 and up (the handler's are below 100). By design no message takes a
/// token, secret, nonce or key as an argument: client names, token endpoint origins, status codes, OAuth error codes
/// and durations only.
/// </summary>
internal static partial class DPoPTokenLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "DPoP client '{ClientName}': access token obtained from {Origin} (DPoP-bound: {DPoPBound}), valid for {LifetimeSeconds} s, renewed from {RenewInSeconds} s.")]
    public static partial void TokenObtained(ILogger logger, string clientName, LoggedOrigin origin, bool dPoPBound, long lifetimeSeconds, long renewInSeconds);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "DPoP client '{ClientName}': renewing the access token before it expires failed ({Reason}) at {Origin}; the cached token, valid for {RemainingSeconds} s more, stays in use and renewal is tried again in {RetryInSeconds} s.")]
    public static partial void EarlyRenewalFailed(ILogger logger, string clientName, string reason, LoggedOrigin origin, long remainingSeconds, double retryInSeconds, Exception? exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "DPoP client '{ClientName}': access token renewed at {Origin} after {Failures} failed attempt(s).")]
    public static partial void RenewedAfterFailures(ILogger logger, string clientName, LoggedOrigin origin, int failures);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "DPoP client '{ClientName}': the token request to {Origin} failed ({Reason}) and no valid token is cached; the requests waiting for it fail.")]
    public static partial void TokenRequestFailed(ILogger logger, string clientName, LoggedOrigin origin, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "DPoP client '{ClientName}': the cached access token was rejected by a resource server (invalid_token) and dropped.")]
    public static partial void TokenDropped(ILogger logger, string clientName);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "DPoP client '{ClientName}': a renewal of the access token was forced (IDPoPClientAccessTokens).")]
    public static partial void RenewalForced(ILogger logger, string clientName);

    [LoggerMessage(EventId = 106, Level = LogLevel.Debug, Message = "DPoP client '{ClientName}': the cached access token was removed (IDPoPClientAccessTokens; from the shared cache too: {Shared}).")]
    public static partial void TokenRemoved(ILogger logger, string clientName, bool shared);

    // 110-119: DPoPTokenClient's requests (category DPoP.Http.DPoPTokenClient).
    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "DPoP token client '{ClientName}': {GrantType} request to {Origin} answered with a token in {ElapsedMilliseconds} ms (DPoP-bound: {DPoPBound}).")]
    public static partial void TokenRequestSucceeded(ILogger logger, string clientName, string grantType, LoggedOrigin origin, long elapsedMilliseconds, bool dPoPBound);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "DPoP token client '{ClientName}': {GrantType} request to {Origin} failed ({ErrorType}) after {ElapsedMilliseconds} ms.")]
    public static partial void TokenRequestFailed(ILogger logger, string clientName, string grantType, LoggedOrigin origin, string errorType, long elapsedMilliseconds);

    [LoggerMessage(EventId = 112, Level = LogLevel.Debug, Message = "DPoP token client '{ClientName}': {Origin} demanded a DPoP nonce (use_dpop_nonce); sending the {GrantType} request again with the nonce and a new client assertion.")]
    public static partial void TokenEndpointNonceResend(ILogger logger, string clientName, LoggedOrigin origin, string grantType);

    [LoggerMessage(EventId = 113, Level = LogLevel.Debug, Message = "DPoP token client '{ClientName}': token revoked at {Origin}.")]
    public static partial void TokenRevoked(ILogger logger, string clientName, LoggedOrigin origin);

    [LoggerMessage(EventId = 114, Level = LogLevel.Information, Message = "DPoP token client '{ClientName}': revocation at {Origin} failed ({ErrorType}).")]
    public static partial void RevocationFailed(ILogger logger, string clientName, LoggedOrigin origin, string errorType);

    // 120-129: the shared token cache (HybridCache).
    [LoggerMessage(EventId = 120, Level = LogLevel.Debug, Message = "DPoP client '{ClientName}': access token for {Origin} taken from the shared cache (DPoP-bound: {DPoPBound}), valid for {LifetimeSeconds} s, renewed from {RenewInSeconds} s.")]
    public static partial void TokenFromSharedCache(ILogger logger, string clientName, LoggedOrigin origin, bool dPoPBound, long lifetimeSeconds, long renewInSeconds);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "DPoP client '{ClientName}': the shared token cache (HybridCache) failed ({Reason}); tokens are requested from the token endpoint directly and the cache is tried again in {PauseSeconds} s.")]
    public static partial void SharedCacheUnavailable(ILogger logger, string clientName, string reason, double pauseSeconds);

    [LoggerMessage(EventId = 122, Level = LogLevel.Information, Message = "The shared token cache (HybridCache) answers again; tokens are shared again.")]
    public static partial void SharedCacheBack(ILogger logger);

    [LoggerMessage(EventId = 123, Level = LogLevel.Warning, Message = "DPoP client '{ClientName}': an unreadable shared token cache entry (corrupt, foreign or from another version) was removed; it is replaced by the next token obtained.")]
    public static partial void SharedCacheEntryUnreadable(ILogger logger, string clientName);

    /// <summary>A token obtained (from the token endpoint or the shared cache), and a recovery after failed attempts.</summary>
    public static void Renewed(ILogger logger, string clientName, LoggedOrigin origin, bool dPoPBound, TimeSpan lifetime, TimeSpan renewIn, bool fromSharedCache, int failures)
    {
        var lifetimeSeconds = Seconds(lifetime);
        var renewInSeconds = Seconds(renewIn);
        if (fromSharedCache)
        {
            TokenFromSharedCache(logger, clientName, origin, dPoPBound, lifetimeSeconds, renewInSeconds);
        }
        else
        {
            TokenObtained(logger, clientName, origin, dPoPBound, lifetimeSeconds, renewInSeconds);
        }

        if (failures > 0)
        {
            RenewedAfterFailures(logger, clientName, origin, failures);
        }
    }

    /// <summary>A failed renewal: early (a valid token stays in use for <paramref name="remaining"/>, retried after <paramref name="retryIn"/>) or with no valid token.</summary>
    public static void RenewalFailed(ILogger logger, string clientName, LoggedOrigin origin, Exception exception, TimeSpan? remaining, TimeSpan retryIn, bool attachException)
    {
        if (!logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var reason = Describe(exception);
        if (remaining is { } left)
        {
            var remainingSeconds = Seconds(left);
            EarlyRenewalFailed(logger, clientName, reason, origin, remainingSeconds, retryIn.TotalSeconds, attachException ? exception : null);
        }
        else
        {
            TokenRequestFailed(logger, clientName, origin, reason);
        }
    }

    /// <summary>What went wrong, in words that carry no secret: a status and OAuth error code, or an exception type.</summary>
    private static string Describe(Exception exception) => exception switch
    {
        DPoPTokenException { StatusCode: { } status, Error: { } error } => $"{(int)status} {OAuthErrorTypes.OfCode(error)}", // a registered code, never a server-chosen word
        DPoPTokenException { StatusCode: { } status } => $"{(int)status}",
        HttpRequestException http => $"{nameof(HttpRequestException)}: {http.HttpRequestError}",
        OperationCanceledException => "timed out",
        _ => exception.GetType().Name,
    };

    private static long Seconds(TimeSpan span) => (long)Math.Ceiling(span.TotalSeconds);
}
