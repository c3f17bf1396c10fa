using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The OpenID Connect schemes that <c>AddDPoPOpenIdConnect()</c> was called for, and each scheme's token endpoint
/// clients (the scheme's own, for code exchange, refresh and revocation; one per <c>AddDPoPClientCredentialsToken(scheme)</c>)
/// with the app's configuration for them, replayed on clients registered later. Registration-time state: filled while
/// services are added, only read once the provider is built.
/// </summary>
internal sealed class DPoPSchemeRegistry
{
    private readonly HashSet<string> _schemes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tokenClients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<IHttpClientBuilder>> _tokenClientsByScheme = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Action<IHttpClientBuilder>>> _tokenClientConfigurations = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Schemes => _schemes;

    /// <summary>Records <paramref name="scheme"/>; false when <c>AddDPoPOpenIdConnect()</c> was called for it already.</summary>
    public bool Add(string scheme) => _schemes.Add(scheme);

    public bool Contains(string scheme) => _schemes.Contains(scheme);

    /// <summary>Registers a token endpoint client of <paramref name="scheme"/> and applies the app's configuration so far to it.</summary>
    public void AddTokenEndpointClient(string scheme, IHttpClientBuilder client)
    {
        if (!_tokenClients.Add(client.Name))
        {
            return;
        }

        Get(_tokenClientsByScheme, scheme).Add(client);
        foreach (var configure in Get(_tokenClientConfigurations, scheme))
        {
            configure(client);
        }
    }

    /// <summary>Applies <paramref name="configure"/> to the token endpoint clients of <paramref name="scheme"/>, those registered so far and those to come.</summary>
    public void ConfigureDPoPTokenEndpointClients(string scheme, Action<IHttpClientBuilder> configure)
    {
        Get(_tokenClientConfigurations, scheme).Add(configure);
        foreach (var client in Get(_tokenClientsByScheme, scheme).ToArray())
        {
            configure(client);
        }
    }

    private static List<T> Get<T>(Dictionary<string, List<T>> map, string scheme)
    {
        if (!map.TryGetValue(scheme, out var list))
        {
            map[scheme] = list = [];
        }

        return list;
    }
}
