using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// <c>AddUserAccessToken()</c>'s token source: the signed-in user's access token of the current request,
/// refreshed before expiry, refreshed once more when the API answers <c>invalid_token</c>.
/// </summary>
internal sealed class UserAccessTokenProvider(IHttpContextAccessor accessor, UserSessions sessions, string scheme, string clientName) : IDPoPAccessTokenProvider
{
    public async ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var activity = DPoPWebActivities.StartUserTokenAcquire(clientName, scheme);
        string token;
        bool dpopBound;
        try
        {
            (token, dpopBound, var refreshed) = await sessions.GetAccessTokenAsync(CurrentContext(accessor, clientName), scheme, cancellationToken).ConfigureAwait(false);
            DPoPWebActivities.Acquired(activity, cacheHit: !refreshed);
        }
        catch (Exception ex)
        {
            DPoPWebActivities.Failed(activity, ex);
            throw;
        }

        if (dpopBound)
        {
            return token;
        }

        // A Bearer token the app allowed (AllowBearerTokens): sent as Bearer, and the proof carries no ath.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return null;
    }

    public async ValueTask<bool> OnAccessTokenRejectedAsync(string rejectedAccessToken, CancellationToken cancellationToken)
    {
        await sessions.OnAccessTokenRejectedAsync(CurrentContext(accessor, clientName), scheme, rejectedAccessToken, cancellationToken).ConfigureAwait(false);
        return true;
    }

    internal static HttpContext CurrentContext(IHttpContextAccessor accessor, string clientName) =>
        accessor.HttpContext ?? throw new InvalidOperationException(
            $"HttpClient '{clientName}' sends the signed-in user's access token (AddUserAccessToken()), so it must be used while handling that user's request; there is no current HttpContext.");
}

/// <summary><c>AddUserAccessToken()</c>'s key source: the key of the signed-in user's session (or the app-wide key).</summary>
internal sealed class UserSessionKeyProvider(IHttpContextAccessor accessor, UserSessions sessions, string scheme, string clientName) : IDPoPKeyProvider
{
    public async ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken)
    {
        var session = await sessions.GetRequestSessionAsync(UserAccessTokenProvider.CurrentContext(accessor, clientName), scheme).ConfigureAwait(false);
        return session.Key;
    }
}
