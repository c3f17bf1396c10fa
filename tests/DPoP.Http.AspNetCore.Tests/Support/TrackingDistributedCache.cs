using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>
/// The app's session store: an in-memory distributed cache that remembers which keys it holds, so a test can look
/// at what is stored (never plain text) or lose everything, as an in-memory store does on restart.
/// </summary>
internal sealed class TrackingDistributedCache : IDistributedCache
{
    private readonly MemoryDistributedCache _inner = new(Options.Create(new MemoryDistributedCacheOptions()));
    private readonly ConcurrentDictionary<string, byte> _keys = new();

    public IReadOnlyCollection<string> Keys => [.. _keys.Keys];

    /// <summary>The keys of stored sessions (not the tombstones of ended ones).</summary>
    public IReadOnlyCollection<string> SessionKeys => [.. _keys.Keys.Where(k => k.Contains(":session:", StringComparison.Ordinal))];

    public byte[]? Get(string key) => _inner.Get(key);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => _inner.GetAsync(key, token);

    public void Refresh(string key) => _inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

    public void Remove(string key)
    {
        _keys.TryRemove(key, out _);
        _inner.Remove(key);
    }

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        _keys.TryRemove(key, out _);
        return _inner.RemoveAsync(key, token);
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        _keys[key] = 0;
        _inner.Set(key, value, options);
    }

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        _keys[key] = 0;
        return _inner.SetAsync(key, value, options, token);
    }

    /// <summary>Drops every entry, as a restart of an in-memory store would.</summary>
    public void Clear()
    {
        foreach (var key in _keys.Keys)
        {
            Remove(key);
        }
    }
}
