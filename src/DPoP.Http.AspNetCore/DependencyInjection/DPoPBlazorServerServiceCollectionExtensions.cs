using DPoP.Http.AspNetCore;
using DPoP.Http.AspNetCore.Internal;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Makes the signed-in user's DPoP-bound tokens usable from Blazor Server (interactive server) components.</summary>
public static class DPoPBlazorServerServiceCollectionExtensions
{
    /// <summary>
    /// Runs every inbound activity of a Blazor Server circuit (event handlers, JS interop calls, navigation) in a
    /// <see cref="DPoPUserScope"/> of the circuit's user (from <c>AuthenticationStateProvider</c>), so
    /// <c>AddDPoPUserAccessToken()</c> HttpClients injected into interactive server components send that user's
    /// session token for the circuit's whole life, with no HttpContext and no scope opened by hand. Call once, with
    /// <c>AddDPoPOpenIdConnect()</c> and <c>AddInteractiveServerComponents()</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddDPoPBlazorServer(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, DPoPUserCircuitHandler>());
        return services;
    }
}
