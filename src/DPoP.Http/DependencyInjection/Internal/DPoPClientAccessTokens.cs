using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Internal;

/// <summary>
/// <see cref="IDPoPClientAccessTokens"/>: finds the client's token source (the keyed <see cref="IDPoPAccessTokenProvider"/>
/// its HttpClient uses, a singleton, so the token is the one the HttpClient sends and outlives handler recycling) and
/// pairs its token with the key the client's handler signs with.
/// </summary>
internal sealed class DPoPClientAccessTokens(IServiceProvider services, DPoPClientRegistry registry, DPoPHandlerFactory handlerFactory) : IDPoPClientAccessTokens
{
    private readonly ConcurrentDictionary<string, Client> _clients = new(StringComparer.Ordinal);

    public async Task<DPoPClientAccessToken> GetAccessTokenAsync(string clientName, CancellationToken cancellationToken = default)
    {
        var client = Find(clientName);
        var response = await client.Cache.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        return await client.DescribeAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DPoPClientAccessToken> RenewAccessTokenAsync(string clientName, CancellationToken cancellationToken = default)
    {
        var client = Find(clientName);
        var response = await client.Cache.RenewAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        return await client.DescribeAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public Task RemoveAccessTokenAsync(string clientName, CancellationToken cancellationToken = default) =>
        Find(clientName).Cache.RemoveAccessTokenAsync(cancellationToken).AsTask();

    private Client Find(string clientName)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientName);
        return _clients.TryGetValue(clientName, out var known) ? known : _clients.GetOrAdd(clientName, Resolve(clientName));
    }

    private Client Resolve(string clientName)
    {
        var provider = services.GetKeyedService<IDPoPAccessTokenProvider>(clientName);
        if (provider is IDPoPClientAccessTokenCache cache)
        {
            return new Client(cache, handlerFactory.KeySource(clientName));
        }

        const string register = "register its tokens with AddDPoP().AddClientCredentialsToken(…) on that HttpClient";
        throw new InvalidOperationException(provider is null
            ? registry.Contains(clientName)
                ? $"DPoP client '{clientName}' has no access token source: {register}."
                : $"There is no DPoP client named '{clientName}': {register}."
            : $"DPoP client '{clientName}' gets its access tokens from {provider.GetType().Name}, which does not cache a token of the client's own (user tokens and token exchange are per user or caller): {register}, or implement {nameof(IDPoPClientAccessTokenCache)} on the provider.");
    }

    /// <summary>A client's token cache and key; the last description is reused while neither token nor key changes.</summary>
    private sealed class Client(IDPoPClientAccessTokenCache cache, Func<CancellationToken, ValueTask<DPoPKey>> keySource)
    {
        private Described? _last;

        public IDPoPClientAccessTokenCache Cache { get; } = cache;

        public async ValueTask<DPoPClientAccessToken> DescribeAsync(DPoPTokenResponse response, CancellationToken cancellationToken)
        {
            var key = await keySource(cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref _last) is { } last && ReferenceEquals(last.Response, response) && ReferenceEquals(last.Token.Key, key))
            {
                return last.Token;
            }

            var token = new DPoPClientAccessToken(response.AccessToken, response.TokenType, response.ExpiresAt, response.Scope, key);
            Volatile.Write(ref _last, new Described(response, token));
            return token;
        }

        private sealed record Described(DPoPTokenResponse Response, DPoPClientAccessToken Token);
    }
}
