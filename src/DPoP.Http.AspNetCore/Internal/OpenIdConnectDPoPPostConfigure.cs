using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Hooks DPoP into each registered scheme's <see cref="OpenIdConnectOptions.Events"/>, around whatever handlers
/// the app set: ours add <c>dpop_jkt</c> before the app's redirect and push handlers run (so they see it), and
/// redeem the code and store the session after the app's handlers, unless those redeemed or failed themselves.
/// </summary>
internal sealed class OpenIdConnectDPoPPostConfigure(DPoPSchemeRegistry registry, IServiceProvider services) : IPostConfigureOptions<OpenIdConnectOptions>
{
    public void PostConfigure(string? name, OpenIdConnectOptions options)
    {
        if (name is null || !registry.Contains(name))
        {
            return;
        }

        // Resolved when an event fires: options are built before every singleton the events need can be.
        OpenIdConnectDPoPEvents Events() => services.GetRequiredService<OpenIdConnectDPoPEvents>();

        var events = options.Events ??= new OpenIdConnectEvents();
        var redirect = events.OnRedirectToIdentityProvider;
        events.OnRedirectToIdentityProvider = async context =>
        {
            await Events().RedirectToIdentityProviderAsync(context).ConfigureAwait(false);
            await redirect(context).ConfigureAwait(false);
        };

        var push = events.OnPushAuthorization;
        events.OnPushAuthorization = async context =>
        {
            await Events().PushAuthorizationAsync(context).ConfigureAwait(false);
            await push(context).ConfigureAwait(false);
        };

        var codeReceived = events.OnAuthorizationCodeReceived;
        events.OnAuthorizationCodeReceived = async context =>
        {
            await codeReceived(context).ConfigureAwait(false);
            if (!context.HandledCodeRedemption && context.Result is null)
            {
                await Events().AuthorizationCodeReceivedAsync(context).ConfigureAwait(false);
            }
        };

        var tokenValidated = events.OnTokenValidated;
        events.OnTokenValidated = async context =>
        {
            await tokenValidated(context).ConfigureAwait(false);
            if (context.Result is null)
            {
                await Events().TokenValidatedAsync(context).ConfigureAwait(false);
            }
        };
    }
}
