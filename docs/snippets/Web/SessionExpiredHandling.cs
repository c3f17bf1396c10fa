using DPoP.Http.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.Docs.Snippets.Web;

/// <summary>Turning an ended session into a new sign-in.</summary>
public static class SessionExpiredHandling
{
    public static void UseSignInAgain(WebApplication app)
    {
        #region challenge-middleware
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (DPoPSessionExpiredException ex) when (!context.Response.HasStarted)
            {
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                await context.ChallengeAsync(ex.Scheme);
            }
        });
        #endregion
    }

    public static void MapOrders(WebApplication app)
    {
        #region endpoint-catch
        app.MapGet("/orders", async (OrdersApi api, CancellationToken cancellationToken) =>
        {
            try
            {
                return Results.Ok(await api.GetOrdersAsync(cancellationToken));
            }
            catch (DPoPSessionExpiredException ex)
            {
                return Results.Challenge(new AuthenticationProperties { RedirectUri = "/orders" }, [ex.Scheme!]);
            }
        }).RequireAuthorization();
        #endregion
    }

    public static void MapSignOut(WebApplication app)
    {
        #region sign-out
        app.MapPost("/signout", () => Results.SignOut(
            new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, "oidc"]));
        #endregion
    }
}
