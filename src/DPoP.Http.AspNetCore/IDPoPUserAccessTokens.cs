using System.Security.Claims;

namespace DPoP.Http.AspNetCore;

/// <summary>
/// The signed-in users' DPoP-bound access tokens, for calls made outside an <c>AddDPoPUserAccessToken()</c> HttpClient
/// (a gRPC channel's call credentials, a SignalR connection, a third-party SDK) or outside the user's HTTP request (a
/// Blazor Server circuit, work queued from a request): the same session, tokens and refresh as the HttpClient — one
/// refresh per session at a time (across the farm with a lock engine), bounded by
/// <see cref="DPoPOpenIdConnectOptions.RefreshTimeout"/>, never written back to a session that has ended. Registered
/// by <c>AddDPoPOpenIdConnect()</c>. The session is found from the principal (a claim added at sign-in holding the
/// session id protected with Data Protection); for a cookie issued before that claim existed, pass the current
/// request's <c>HttpContext.User</c>. Every method throws <see cref="DPoPSessionExpiredException"/> when the principal
/// has no live session of the scheme: challenge the scheme to sign the user in again.
/// </summary>
public interface IDPoPUserAccessTokens
{
    /// <summary>
    /// Gets the session's current access token and the key it is bound to, refreshed first when it is within
    /// <see cref="DPoPOpenIdConnectOptions.RefreshBeforeExpiry"/> of its expiry (the refresh is shared with every other
    /// caller of the session).
    /// </summary>
    /// <param name="user">The signed-in user (<c>HttpContext.User</c>, a circuit's <c>AuthenticationState.User</c>, a principal captured for background work).</param>
    /// <param name="openIdConnectScheme">The OpenID Connect scheme the user signed in with.</param>
    /// <param name="options">Which token: null for the sign-in's; a <see cref="DPoPUserAccessTokenOptions.Resource"/> (and/or scope) for one obtained by refresh for it and kept in the session (obtained now if there is none yet).</param>
    /// <param name="cancellationToken">Stops waiting (a refresh under way goes on and is stored).</param>
    /// <returns>The token and its key; dispose it when done with them.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="user"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="openIdConnectScheme"/> is null or empty.</exception>
    /// <exception cref="DPoPSessionExpiredException">The principal has no live session of the scheme.</exception>
    /// <exception cref="TimeoutException">A refresh took longer than <see cref="DPoPOpenIdConnectOptions.RefreshTimeout"/>; the session is kept.</exception>
    Task<DPoPUserAccessToken> GetAccessTokenAsync(ClaimsPrincipal user, string openIdConnectScheme = "OpenIdConnect", DPoPUserAccessTokenOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Refreshes the session's access token now, even if the stored one is still valid (say after an API refused it),
    /// and stores the result for the session's HttpClients too. Concurrent renewals and refreshes of the session share
    /// one refresh grant.
    /// </summary>
    /// <param name="user">The signed-in user.</param>
    /// <param name="openIdConnectScheme">The OpenID Connect scheme the user signed in with.</param>
    /// <param name="options">Which token to renew: null for the sign-in's, else the one for that resource (and/or scope); the others are kept.</param>
    /// <param name="cancellationToken">Stops waiting (the refresh goes on and is stored).</param>
    /// <returns>The new token and its key; dispose it when done with them.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="user"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="openIdConnectScheme"/> is null or empty.</exception>
    /// <exception cref="DPoPSessionExpiredException">The principal has no live session of the scheme, or the provider refused the refresh token.</exception>
    /// <exception cref="TimeoutException">The refresh took longer than <see cref="DPoPOpenIdConnectOptions.RefreshTimeout"/>; the session is kept.</exception>
    Task<DPoPUserAccessToken> RenewAccessTokenAsync(ClaimsPrincipal user, string openIdConnectScheme = "OpenIdConnect", DPoPUserAccessTokenOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the session for good, as a sign-out does (an admin's "sign out this session", a security event): its
    /// refresh token is revoked (bounded by <see cref="DPoPOpenIdConnectOptions.RevocationTimeout"/>), its tokens and
    /// key are dropped, and from then on every call of the session throws <see cref="DPoPSessionExpiredException"/>
    /// with <see cref="DPoPSessionExpiredReason.SignedOut"/>. The authentication cookie is not touched: sign it out too
    /// when the user is at hand. Not cancellable once started: a half-ended session would leave its refresh token alive.
    /// </summary>
    /// <param name="user">The signed-in user.</param>
    /// <param name="openIdConnectScheme">The OpenID Connect scheme the user signed in with.</param>
    /// <param name="cancellationToken">Checked before the session is ended, not after.</param>
    /// <returns>A task that completes when the session has ended.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="user"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="openIdConnectScheme"/> is null or empty.</exception>
    /// <exception cref="DPoPSessionExpiredException">The principal names no session of the scheme (<see cref="DPoPSessionExpiredReason.NotSignedIn"/>).</exception>
    /// <exception cref="InvalidOperationException">The session store failed.</exception>
    Task EndSessionAsync(ClaimsPrincipal user, string openIdConnectScheme = "OpenIdConnect", CancellationToken cancellationToken = default);
}
