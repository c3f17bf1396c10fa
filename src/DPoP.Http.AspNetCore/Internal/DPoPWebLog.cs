using Microsoft.Extensions.Logging;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The package's log messages (category <c>DPoP.Http.AspNetCore</c>, event ids from 100). None takes a token,
/// nonce, key, session id or secret: schemes, reasons and OAuth error codes only; nor a store's exception, whose
/// message may name the session's key.
/// </summary>
internal static partial class DPoPWebLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "DPoP OpenID Connect scheme '{Scheme}': dpop_jkt added to the authorization request (key per session: {KeyPerSession}).")]
    public static partial void DPoPJktAdded(ILogger logger, string scheme, bool keyPerSession);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "DPoP OpenID Connect scheme '{Scheme}': dpop_jkt added to the pushed authorization request.")]
    public static partial void DPoPJktPushed(ILogger logger, string scheme);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "DPoP OpenID Connect scheme '{Scheme}': authorization code redeemed for a {TokenType} token (refresh token: {HasRefreshToken}).")]
    public static partial void CodeRedeemed(ILogger logger, string scheme, string tokenType, bool hasRefreshToken);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "DPoP OpenID Connect scheme '{Scheme}': the code exchange failed ({Error}).")]
    public static partial void CodeRedemptionFailed(ILogger logger, string scheme, string error);

    [LoggerMessage(EventId = 204, Level = LogLevel.Debug, Message = "DPoP OpenID Connect scheme '{Scheme}': session tokens stored.")]
    public static partial void SessionStored(ILogger logger, string scheme);

    [LoggerMessage(EventId = 205, Level = LogLevel.Debug, Message = "DPoP OpenID Connect scheme '{Scheme}': refreshing the user's access token (reason: {Reason}).")]
    public static partial void Refreshing(ILogger logger, string scheme, string reason);

    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "DPoP OpenID Connect scheme '{Scheme}': user access token refreshed (refresh token rotated: {Rotated}).")]
    public static partial void Refreshed(ILogger logger, string scheme, bool rotated);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "DPoP OpenID Connect scheme '{Scheme}': the session has ended ({Reason}); the user must sign in again.")]
    public static partial void SessionExpired(ILogger logger, string scheme, DPoPSessionExpiredReason reason);

    [LoggerMessage(EventId = 208, Level = LogLevel.Information, Message = "DPoP OpenID Connect scheme '{Scheme}': refresh token revoked at sign-out.")]
    public static partial void Revoked(ILogger logger, string scheme);

    [LoggerMessage(EventId = 209, Level = LogLevel.Warning, Message = "DPoP OpenID Connect scheme '{Scheme}': revoking the refresh token at sign-out failed ({Error}); the session's tokens and key are dropped all the same.")]
    public static partial void RevocationFailed(ILogger logger, string scheme, string error);

    [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "DPoP OpenID Connect scheme '{Scheme}': not revoking at sign-out ({Reason}).")]
    public static partial void RevocationSkipped(ILogger logger, string scheme, string reason);

    [LoggerMessage(EventId = 211, Level = LogLevel.Debug, Message = "DPoP OpenID Connect scheme '{Scheme}': session tokens and key dropped at sign-out.")]
    public static partial void SessionEnded(ILogger logger, string scheme);

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "DPoP OpenID Connect scheme '{Scheme}': the API rejected the user's access token (invalid_token); it will be refreshed once.")]
    public static partial void AccessTokenRejected(ILogger logger, string scheme);

    [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "DPoP OpenID Connect scheme '{Scheme}': a refresh was answered after its session had ended (signed out); its refresh token is revoked and the session not kept.")]
    public static partial void RefreshDiscarded(ILogger logger, string scheme);

    [LoggerMessage(EventId = 214, Level = LogLevel.Warning, Message = "DPoP OpenID Connect scheme '{Scheme}': refreshing the user's access token took longer than RefreshTimeout ({Timeout}); the waiting calls fail and the session is kept.")]
    public static partial void RefreshTimedOut(ILogger logger, string scheme, TimeSpan timeout);

    [LoggerMessage(EventId = 215, Level = LogLevel.Error, Message = "DPoP OpenID Connect scheme '{Scheme}': the session could not be ended at sign-out ({ErrorType}); the cookie is signed out all the same, but the session's refresh token may stay in the store until it expires.")]
    public static partial void SessionEndFailed(ILogger logger, string scheme, string errorType);

    [LoggerMessage(EventId = 216, Level = LogLevel.Information, Message = "DPoP OpenID Connect scheme '{Scheme}': a new sign-in starts in a browser still signed in; its previous session is ended.")]
    public static partial void PreviousSessionEnding(ILogger logger, string scheme);

    [LoggerMessage(EventId = 218, Level = LogLevel.Warning, Message = "DPoP OpenID Connect scheme '{Scheme}': the provider's discovery document names a revocation_endpoint that is not an absolute http or https URI without user information; refresh tokens are not revoked at sign-out.")]
    public static partial void UnusableRevocationEndpoint(ILogger logger, string scheme);

    [LoggerMessage(EventId = 219, Level = LogLevel.Debug, Message = "DPoP OpenID Connect scheme '{Scheme}': another instance holds the session's refresh lock; waiting for it (at most {Timeout}).")]
    public static partial void RefreshLockWaiting(ILogger logger, string scheme, TimeSpan timeout);

    [LoggerMessage(EventId = 220, Level = LogLevel.Warning, Message = "DPoP OpenID Connect scheme '{Scheme}': the farm-wide refresh lock was not acquired within RefreshLockTimeout ({Timeout}): {Cause}. The waiting calls fail and the session is kept; no refresh is sent without the lock. Further lock failures in the next 30 seconds are logged at Debug level.")]
    public static partial void RefreshLockTimedOut(ILogger logger, string scheme, TimeSpan timeout, string cause);

    [LoggerMessage(EventId = 221, Level = LogLevel.Warning, Message = "DPoP OpenID Connect scheme '{Scheme}': the lock engine ({Provider}) failed ({ErrorType}), so the session's refresh lock could not be taken. The waiting calls fail and the session is kept; no refresh is sent without the lock. Further lock failures in the next 30 seconds are logged at Debug level.")]
    public static partial void RefreshLockFailed(ILogger logger, string scheme, string provider, string errorType);

    [LoggerMessage(EventId = 222, Level = LogLevel.Debug, Message = "DPoP OpenID Connect scheme '{Scheme}': the farm-wide refresh lock failed ({Cause}); warned about at most once per 30 seconds.")]
    public static partial void RefreshLockFailedAgain(ILogger logger, string scheme, string cause);

    [LoggerMessage(EventId = 223, Level = LogLevel.Information, Message = "DPoP OpenID Connect scheme '{Scheme}': the farm-wide refresh lock works again.")]
    public static partial void RefreshLockRecovered(ILogger logger, string scheme);

    [LoggerMessage(EventId = 224, Level = LogLevel.Debug, Message = "DPoP OpenID Connect scheme '{Scheme}': the session was already refreshed by another request or instance; its stored tokens are used without a grant.")]
    public static partial void RefreshedElsewhere(ILogger logger, string scheme);

    [LoggerMessage(EventId = 225, Level = LogLevel.Warning, Message = "DPoP OpenID Connect scheme '{Scheme}': user sessions are kept in a shared store ({Store}) but refreshes are single flight only per instance ({Why}). Two instances refreshing one session at once send the same refresh token twice, and a provider that detects refresh token reuse revokes the whole grant: the user is signed out everywhere. Register an IDistributedLockProvider (DistributedLock.Redis, .Postgres, .SqlServer, …) in DI to make refreshes single flight across the farm.")]
    public static partial void FarmWithoutRefreshLock(ILogger logger, string scheme, string store, string why);

    [LoggerMessage(EventId = 226, Level = LogLevel.Information, Message = "DPoP OpenID Connect scheme '{Scheme}': the refresh token was refused (invalid_grant), but the store holds a newer one that another instance stored meanwhile; that session is used and not ended.")]
    public static partial void RefusedButNewerStored(ILogger logger, string scheme);

    [LoggerMessage(EventId = 230, Level = LogLevel.Information, Message = "DPoP OpenID Connect scheme '{Scheme}': the app ends a user's session (IDPoPUserAccessTokens.EndSessionAsync); its refresh token is revoked and its tokens and key dropped.")]
    public static partial void SessionEndRequested(ILogger logger, string scheme);

    [LoggerMessage(EventId = 231, Level = LogLevel.Debug, Message = "DPoP OpenID Connect scheme '{Scheme}': the app asks for a new access token of a user's session (IDPoPUserAccessTokens.RenewAccessTokenAsync).")]
    public static partial void RenewalRequested(ILogger logger, string scheme);
}
