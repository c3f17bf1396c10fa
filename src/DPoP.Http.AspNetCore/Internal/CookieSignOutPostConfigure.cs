using DPoP.Http.Internal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Ends the DPoP sessions of a cookie that is being signed out (<see cref="CookieAuthenticationEvents.OnSigningOut"/>
/// of every cookie scheme): revokes the refresh token and drops the session's tokens and key, then runs the
/// app's own handler. A failing session store is logged and the cookie signed out all the same.
/// </summary>
internal sealed class CookieSignOutPostConfigure(DPoPSchemeRegistry registry, IServiceProvider services) : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        var events = options.Events ??= new CookieAuthenticationEvents();
        var signingOut = events.OnSigningOut;
        events.OnSigningOut = async context =>
        {
            var result = await context.HttpContext.AuthenticateAsync(context.Scheme.Name).ConfigureAwait(false);
            if (result.Properties is { } properties)
            {
                var sessions = services.GetRequiredService<UserSessions>();
                var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(DPoPTelemetryNames.WebLogCategory);
                foreach (var scheme in registry.Schemes)
                {
                    if (properties.Items.TryGetValue(UserSessions.SessionItem(scheme), out var sessionId) && !string.IsNullOrEmpty(sessionId))
                    {
                        try
                        {
                            await sessions.EndAsync(scheme, sessionId).ConfigureAwait(false);
                        }
                        catch (InvalidOperationException ex)
                        {
                            // The session store failed: the cookie is signed out all the same (the user asked to leave).
                            DPoPWebLog.SessionEndFailed(logger, scheme, DPoPWebMetrics.ErrorType(ex.InnerException ?? ex));
                        }
                    }
                }
            }

            await signingOut(context).ConfigureAwait(false);
        };
    }
}
