namespace DPoP.Http.Internal;

/// <summary>
/// A token as a token source caches it (client credentials, token exchange): the response, when to renew it, and the
/// key it is bound to — the key its token request was signed with, which need not be the client's current key once
/// the key provider rotated. A user session's token has no key here: its key stays in the session's store.
/// </summary>
internal sealed class DPoPCachedToken(DPoPTokenResponse response, DateTimeOffset renewAt, DPoPKey? key)
{
    private DPoPClientAccessToken? _clientToken;

    public DPoPTokenResponse Response { get; } = response;

    public DateTimeOffset RenewAt { get; } = renewAt;

    /// <summary>The key the token is bound to; null for a token whose key is kept by its source (a user session).</summary>
    public DPoPKey? Key { get; } = key;

    public DateTimeOffset ExpiresAt => Response.ExpiresAt;

    /// <summary>The token and its key as <see cref="IDPoPClientAccessTokens"/> hands them out; one instance per cached token.</summary>
    public DPoPClientAccessToken ClientToken =>
        Volatile.Read(ref _clientToken) ?? Interlocked.CompareExchange(ref _clientToken, New(), null) ?? _clientToken!;

    /// <summary>
    /// When to renew a token that expires at <paramref name="expiresAt"/> and arrived at <paramref name="now"/>:
    /// <paramref name="refreshBeforeExpiry"/> before it expires, but never before half its lifetime — whether that
    /// lifetime came from <c>expires_in</c> or from <see cref="DPoPTokenClientOptions.DefaultTokenLifetime"/>, so a
    /// short one is not due the moment it arrives. A lifetime already over (a slow answer, a clock that moved) is due now.
    /// </summary>
    public static DateTimeOffset RenewalTime(DateTimeOffset expiresAt, DateTimeOffset now, TimeSpan refreshBeforeExpiry)
    {
        // ExpiresAt is saturated (never past year 9999) and both times are in range, so the subtraction cannot overflow.
        var lifetime = expiresAt - now;
        return lifetime <= TimeSpan.Zero ? expiresAt : expiresAt - TimeSpan.FromTicks(Math.Min(refreshBeforeExpiry.Ticks, lifetime.Ticks / 2));
    }

    public override string ToString() => $"DPoPCachedToken {{ RenewAt = {RenewAt:O}, JwkThumbprint = {Key?.JwkThumbprint} }}";

    private DPoPClientAccessToken New() => new(
        Response.AccessToken, Response.TokenType, Response.ExpiresAt, Response.Scope, Key ?? throw new InvalidOperationException("The token's key is kept by its source."));
}
