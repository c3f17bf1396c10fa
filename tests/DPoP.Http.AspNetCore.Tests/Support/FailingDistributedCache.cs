using Microsoft.Extensions.Caching.Distributed;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>A session store that works until <see cref="Down"/> is set, then fails every call as an unreachable Redis would (its message naming the key).</summary>
internal sealed class FailingDistributedCache(IDistributedCache inner) : IDistributedCache
{
    public bool Down { get; set; }

    public byte[]? Get(string key)
    {
        ThrowIfDown(key);
        return inner.Get(key);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        await Task.Yield();
        ThrowIfDown(key);
        return await inner.GetAsync(key, token);
    }

    public void Refresh(string key)
    {
        ThrowIfDown(key);
        inner.Refresh(key);
    }

    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        ThrowIfDown(key);
        await inner.RefreshAsync(key, token);
    }

    public void Remove(string key)
    {
        ThrowIfDown(key);
        inner.Remove(key);
    }

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        ThrowIfDown(key);
        await inner.RemoveAsync(key, token);
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        ThrowIfDown(key);
        inner.Set(key, value, options);
    }

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ThrowIfDown(key);
        await inner.SetAsync(key, value, options, token);
    }

    private void ThrowIfDown(string key)
    {
        if (Down)
        {
            throw new IOException($"It was not possible to connect to the redis server(s). Key: {key}");
        }
    }
}
