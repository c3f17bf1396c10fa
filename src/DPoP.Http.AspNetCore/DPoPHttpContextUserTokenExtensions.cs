using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.AspNetCore;

/// <summary>The signed-in user's access token from the current request (<see cref="IDPoPUserAccessTokens"/> for its user).</summary>
public static class DPoPHttpContextUserTokenExtensions
{
    /// <summary>
    /// Gets the access token of the request's signed-in user and the key it is bound to, refreshed first when due, as
    /// <see cref="IDPoPUserAccessTokens.GetAccessTokenAsync"/> does for <c>context.User</c> (cookies from before the
    /// session claim included); waiting stops when the request is aborted.
    /// </summary>
    /// <param name="context">The current request.</param>
    /// <param name="openIdConnectScheme">The OpenID Connect scheme the user signed in with.</param>
    /// <param name="options">Which token: null for the sign-in's, else the one for that resource (and/or scope).</param>
    /// <returns>The token and its key; dispose it when done with them.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="openIdConnectScheme"/> is null or empty.</exception>
    /// <exception cref="DPoPSessionExpiredException">The user has no live session of the scheme.</exception>
    public static Task<DPoPUserAccessToken> GetDPoPUserAccessTokenAsync(this HttpContext context, string openIdConnectScheme = "OpenIdConnect", DPoPUserAccessTokenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.RequestServices.GetRequiredService<IDPoPUserAccessTokens>().GetAccessTokenAsync(context.User, openIdConnectScheme, options, context.RequestAborted);
    }
}
