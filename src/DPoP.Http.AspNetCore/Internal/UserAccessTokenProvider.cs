using DPoP.Http.Internal;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// <c>AddDPoPUserAccessToken()</c>'s token source: the access token of the user the client acts for (the
/// <see cref="DPoPUserScope"/>'s, else the current request's), refreshed before expiry, refreshed once more when the
/// API answers <c>invalid_token</c>.
/// </summary>
internal sealed class UserAccessTokenProvider(UserSessions sessions, string scheme, string clientName, TokenTarget target) : IDPoPAccessTokenProvider
{
    public async ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var activity = DPoPWebActivities.StartUserTokenAcquire(clientName, scheme);
        DPoPTokenResponse token;
        try
        {
            var current = await sessions.GetCurrentSessionAsync(scheme, clientName).WaitAsync(cancellationToken).ConfigureAwait(false);
            (token, var refreshed) = await sessions.GetAccessTokenAsync(current, target, cancellationToken).ConfigureAwait(false);
            DPoPTokenTelemetry.Acquired(activity, cacheHit: !refreshed); // the engine's own span end: one shape for every token source
        }
        catch (Exception ex)
        {
            DPoPWebActivities.Failed(activity, ex);
            throw;
        }

        // A Bearer token the app allowed (AllowBearerTokens) goes as Bearer, and the proof carries no ath.
        return DPoPTokenBinding.Use(token, request);
    }

    public async ValueTask<bool> OnAccessTokenRejectedAsync(string rejectedAccessToken, CancellationToken cancellationToken)
    {
        var current = await sessions.GetCurrentSessionAsync(scheme, clientName).WaitAsync(cancellationToken).ConfigureAwait(false);
        await sessions.OnAccessTokenRejectedAsync(current, rejectedAccessToken, target, cancellationToken).ConfigureAwait(false);
        return true;
    }
}

/// <summary><c>AddDPoPUserAccessToken()</c>'s key source: the key of the session the client acts for (or the app-wide key).</summary>
internal sealed class UserSessionKeyProvider(UserSessions sessions, string scheme, string clientName) : IDPoPKeyProvider
{
    public async ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken)
    {
        var session = await sessions.GetCurrentSessionAsync(scheme, clientName).WaitAsync(cancellationToken).ConfigureAwait(false);
        return session.Key;
    }
}
