using System.Collections.Concurrent;

namespace DPoP.Http.Internal;

/// <summary>
/// What a client's handlers share and must outlive them (IHttpClientFactory recycles handlers every few minutes):
/// the nonce store and the <c>ath</c> cache, one per client name.
/// </summary>
internal sealed class DPoPClientStates(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.Ordinal);

    public State Get(string clientName, DPoPClientOptions options) =>
        _states.GetOrAdd(clientName, static (_, arg) => new State(
            new DPoPNonceStore(arg.options.NonceStoreCapacity ?? DPoPClientOptions.DefaultNonceStoreCapacity, arg.options.NonceLifetime, arg.timeProvider),
            new DPoPAthCache()), (options, timeProvider));

    internal sealed record State(DPoPNonceStore NonceStore, DPoPAthCache AthCache);
}
