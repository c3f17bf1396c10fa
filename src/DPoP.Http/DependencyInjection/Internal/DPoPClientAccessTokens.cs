using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Internal;

/// <summary>
/// <see cref="IDPoPClientAccessTokens"/>: finds the client's token source (the keyed <see cref="IDPoPAccessTokenProvider"/>
/// its HttpClient uses, a singleton, so the token is the one the HttpClient sends and outlives handler recycling), which
/// hands out its token with the key that token is bound to.
/// </summary>
internal sealed class DPoPClientAccessTokens(IServiceProvider services, DPoPClientRegistry registry) : IDPoPClientAccessTokens
{
    private readonly ConcurrentDictionary<string, IDPoPClientAccessTokenCache> _clients = new(StringComparer.Ordinal);

    public async Task<DPoPClientAccessToken> GetAccessTokenAsync(string clientName, CancellationToken cancellationToken = default) =>
        await Find(clientName).GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);

    public async Task<DPoPClientAccessToken> RenewAccessTokenAsync(string clientName, CancellationToken cancellationToken = default) =>
        await Find(clientName).RenewAccessTokenAsync(cancellationToken).ConfigureAwait(false);

    public Task RemoveAccessTokenAsync(string clientName, CancellationToken cancellationToken = default) =>
        Find(clientName).RemoveAccessTokenAsync(cancellationToken).AsTask();

    private IDPoPClientAccessTokenCache Find(string clientName)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientName);
        return _clients.TryGetValue(clientName, out var known) ? known : _clients.GetOrAdd(clientName, Resolve(clientName));
    }

    private IDPoPClientAccessTokenCache Resolve(string clientName)
    {
        var provider = services.GetKeyedService<IDPoPAccessTokenProvider>(clientName);
        if (provider is IDPoPClientAccessTokenCache cache)
        {
            return cache;
        }

        const string register = "register its tokens with AddDPoP().AddDPoPClientCredentialsToken(…) on that HttpClient";
        throw new InvalidOperationException(provider is null
            ? registry.Contains(clientName)
                ? $"DPoP client '{clientName}' has no access token source: {register}."
                : $"There is no DPoP client named '{clientName}': {register}."
            : $"DPoP client '{clientName}' gets its access tokens from {provider.GetType().Name}, which does not cache a token of the client's own (user tokens and token exchange are per user or caller): {register}, or implement {nameof(IDPoPClientAccessTokenCache)} on the provider.");
    }
}
