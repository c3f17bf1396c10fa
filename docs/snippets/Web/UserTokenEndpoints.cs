using System.Security.Claims;
using DPoP.Http.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.Docs.Snippets.Web;

/// <summary>The user-token API from endpoints and services.</summary>
public static class UserTokenEndpoints
{
    public static void Map(WebApplication app)
    {
        #region get-token
        app.MapGet("/token-info", async (HttpContext context) =>
        {
            using var token = await context.GetDPoPUserAccessTokenAsync("oidc");
            return Results.Ok(new { token.TokenType, token.ExpiresAt, token.Key.JwkThumbprint });   // never the token itself
        }).RequireAuthorization();
        #endregion

        #region queue-work
        app.MapPost("/exports", async (HttpContext context, OrderExportRequests queue) =>
        {
            await queue.EnqueueAsync(context.User);   // the principal carries the protected session claim
            return Results.Accepted();
        }).RequireAuthorization();
        #endregion
    }
}

#region end-session
/// <summary>Reacts to a security event about a user whose principal the app holds (a circuit's user, a queued job's).</summary>
public sealed class CompromisedSessionHandler(IDPoPUserAccessTokens tokens)
{
    public async Task OnSuspiciousActivityAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        // Refresh token revoked, tokens and key dropped; every later call of this session gets
        // DPoPSessionExpiredException (SignedOut). The user's cookie is not touched.
        await tokens.EndSessionAsync(user, "oidc", cancellationToken);
    }
}
#endregion
