using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// The handler's log messages. By design no message takes a token, nonce, proof or key as an argument: origins
/// (scheme://host:port), methods, status codes and client names only.
/// </summary>
internal static partial class DPoPHandlerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Trace, Message = "DPoP client '{ClientName}': proof created for {Method} {Origin} (access token bound: {TokenBound}, nonce: {HasNonce}).")]
    public static partial void ProofCreated(ILogger logger, string clientName, string method, LoggedOrigin origin, bool tokenBound, bool hasNonce);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "DPoP client '{ClientName}': new nonce stored for {Origin}.")]
    public static partial void NonceStored(ILogger logger, string clientName, LoggedOrigin origin);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "DPoP client '{ClientName}': ignored a DPoP-Nonce header from {Origin}: {Reason}.")]
    public static partial void InvalidNonceIgnored(ILogger logger, string clientName, LoggedOrigin origin, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "DPoP client '{ClientName}': {Origin} demanded a nonce ({StatusCode}); retrying {Method} once with a new proof.")]
    public static partial void RetryingWithNonce(ILogger logger, string clientName, LoggedOrigin origin, int statusCode, string method);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "DPoP client '{ClientName}': {Origin} demanded a nonce but the {Method} request body cannot be sent again (streamed, larger than MaxBufferedRequestBodySize); the challenge is returned and the stored nonce will serve the next request.")]
    public static partial void RetryRefusedBodyNotResendable(ILogger logger, string clientName, LoggedOrigin origin, string method);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "DPoP client '{ClientName}': {Origin} demanded a nonce but sent no new one; the challenge is returned.")]
    public static partial void ChallengeWithoutNewNonce(ILogger logger, string clientName, LoggedOrigin origin);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "DPoP client '{ClientName}': following a {StatusCode} redirect from {FromOrigin} to {ToOrigin} with a new proof (access token kept: {TokenKept}).")]
    public static partial void FollowingRedirect(ILogger logger, string clientName, int statusCode, LoggedOrigin fromOrigin, LoggedOrigin toOrigin, bool tokenKept);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "DPoP client '{ClientName}': not following a {StatusCode} redirect from {FromOrigin}: {Reason}.")]
    public static partial void RedirectNotFollowed(ILogger logger, string clientName, int statusCode, LoggedOrigin fromOrigin, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "DPoP client '{ClientName}': turned off the primary handler's automatic redirects; the DPoP handler follows redirects with a new proof per hop.")]
    public static partial void PrimaryRedirectsDisabled(ILogger logger, string clientName);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "DPoP client '{ClientName}': could not turn off the primary handler's automatic redirects (it has already sent requests, or is shared): a redirect would carry a proof made for another URI. Configure AllowAutoRedirect = false on it.")]
    public static partial void PrimaryRedirectsNotDisabled(ILogger logger, string clientName);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "The shared nonce store (HybridCache) failed ({Reason}); nonces are kept in this instance's memory only and the cache is tried again in {PauseSeconds} s.")]
    public static partial void SharedNonceCacheUnavailable(ILogger logger, string reason, double pauseSeconds);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "The shared nonce store (HybridCache) answers again; nonces are shared again.")]
    public static partial void SharedNonceCacheBack(ILogger logger);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "DPoP client '{ClientName}': {Origin} rejected the access token (invalid_token); retrying {Method} once with a renewed token and a new proof.")]
    public static partial void RetryingWithRenewedToken(ILogger logger, string clientName, LoggedOrigin origin, string method);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "DPoP client '{ClientName}': a resilience or retry handler ({HandlerType}) is registered inside (after) AddDPoP(); its retries would resend the same proof, which servers reject as a replay. Call AddDPoP() after AddStandardResilienceHandler()/AddResilienceHandler().")]
    public static partial void RetryHandlerInsideDPoP(ILogger logger, string clientName, string handlerType);
}
