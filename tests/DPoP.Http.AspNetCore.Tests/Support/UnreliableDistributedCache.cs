using Microsoft.Extensions.Caching.Distributed;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>
/// A session store that works until <see cref="Down"/> is set, then fails every call as an unreachable Redis would
/// (its message naming the key); or that holds the next write of a session until the test releases it.
/// </summary>
internal sealed class UnreliableDistributedCache(IDistributedCache inner) : IDistributedCache
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Down { get; set; }

    /// <summary>Fail writes only (reads still work), as a Redis replica that lost its primary would.</summary>
    public bool WritesDown { get; set; }

    /// <summary>Hold writes of sessions (not of their tombstones) until <see cref="Release"/>.</summary>
    public bool HoldSessionWrites { get; set; }

    /// <summary>Completes when a session write is being held.</summary>
    public Task Held => _held.Task;

    public void Release() => _released.TrySetResult();

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
        ThrowIfDown(key, write: true);
        inner.Set(key, value, options);
    }

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ThrowIfDown(key, write: true);
        if (HoldSessionWrites && key.Contains(":session:", StringComparison.Ordinal))
        {
            _held.TrySetResult();
            await _released.Task;
        }

        await inner.SetAsync(key, value, options, token);
    }

    private void ThrowIfDown(string key, bool write = false)
    {
        if (Down || (write && WritesDown))
        {
            throw new IOException($"It was not possible to connect to the redis server(s). Key: {key}");
        }
    }
}
