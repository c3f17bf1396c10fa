using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.DemoServer;

/// <summary>
/// The address a started Kestrel listens on, read from the server's <see cref="IServerAddressesFeature"/>: the one copy
/// of this code, used by <see cref="DemoServer"/> and by DPoP.Http.Testing's <c>LoopbackKestrel</c> (which sees it
/// through InternalsVisibleTo, since this project must never reference DPoP.Http).
/// </summary>
internal static class KestrelAddress
{
    /// <summary>
    /// The first address Kestrel reports with a bound port, as a base address ending in '/'. A wildcard or host name
    /// becomes <c>127.0.0.1</c>; a loopback IP literal stays.
    /// </summary>
    /// <exception cref="InvalidOperationException">Kestrel reported no address with a port.</exception>
    internal static Uri BaseAddressOf(IServiceProvider services)
    {
        var addresses = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        foreach (var address in addresses ?? [])
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0)
            {
                var host = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && uri.IsLoopback ? uri.Host : "127.0.0.1";
                return new Uri(string.Create(CultureInfo.InvariantCulture, $"{uri.Scheme}://{host}:{uri.Port}/"));
            }
        }

        throw new InvalidOperationException("Kestrel did not report the address it listens on.");
    }
}
