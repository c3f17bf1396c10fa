using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static DPoP.Http.Tests.Reliability.FaultScenario;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// A slow, failing, cancelled or misbehaving key provider (and token provider), against a real Kestrel server on
/// 127.0.0.1: the caller sees a clear exception and nothing is sent.
/// </summary>
[Category("Integration")]
public sealed class KeyProviderFaultTests
{
    [Test]
    public async Task KeyProvider_Slow_CancelledByCaller_ThrowsOperationCanceled_NothingSent()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, _) => s.AddDPoPKeyProvider<HangingKeyProvider>());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.That(async () => await client.Http.SendAsync(Get(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(server.Seen, Is.Empty);
    }

    [Test]
    public async Task KeyProvider_Slow_HttpClientTimeout_ThrowsTaskCanceledWithTimeout_NothingSent()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, _) => s.AddDPoPKeyProvider<HangingKeyProvider>(), timeout: TimeSpan.FromMilliseconds(300));

        Assert.That(async () => await client.Http.SendAsync(Get()), Throws.InstanceOf<TaskCanceledException>().With.InnerException.InstanceOf<TimeoutException>());
        Assert.That(server.Seen, Is.Empty);
    }

    [Test]
    public async Task KeyProvider_Slow_SyncSend_Cancelled_ThrowsOperationCanceled()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, _) => s.AddDPoPKeyProvider<HangingKeyProvider>());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.That(() => client.Http.Send(Get(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(server.Seen, Is.Empty);
    }

    [Test]
    public async Task KeyProvider_SlowButFinishes_RequestSucceeds()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, _) => s.AddDPoPKeyProvider<SlowKeyProvider>());
        using var response = await client.Http.SendAsync(Get());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(DPoPKey.ComputeJwkThumbprint(server.Seen.Single().Verified.JwkJson), Is.EqualTo(SlowKeyProvider.Key.JwkThumbprint));
        });
    }

    [TestCase(typeof(ThrowingKeyProvider))]
    [TestCase(typeof(SyncThrowingKeyProvider))]
    public async Task KeyProvider_Throws_ExceptionPassesThroughUnchanged_NothingSent(Type provider)
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, b) =>
        {
            if (provider == typeof(ThrowingKeyProvider))
            {
                b.AddDPoPKeyProvider<ThrowingKeyProvider>();
            }
            else
            {
                b.AddDPoPKeyProvider<SyncThrowingKeyProvider>();
            }
        });

        Assert.That(async () => await client.Http.SendAsync(Get()), Throws.InstanceOf<KeyStoreUnavailableException>().With.Message.EqualTo("the key vault is down"));
        Assert.That(server.Seen, Is.Empty);
    }

    [Test]
    public async Task KeyProvider_ReturnsNull_ThrowsInvalidOperationNamingTheProvider_NothingSent()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, _) => s.AddDPoPKeyProvider<NullKeyProvider>());

        Assert.That(async () => await client.Http.SendAsync(Get()),
            Throws.InvalidOperationException.With.Message.Contains("key").And.Message.Contains("null").And.Message.Contains(DPoPTestHost.ClientName));
        Assert.That(server.Seen, Is.Empty);
    }

    [Test]
    public async Task KeyProvider_ReturnsDisposedKey_ThrowsObjectDisposed_NothingSent()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, _) => s.AddDPoPKeyProvider<DisposedKeyProvider>());

        Assert.That(async () => await client.Http.SendAsync(Get()), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(server.Seen, Is.Empty);
    }

    [Test]
    public async Task TokenProvider_Throws_ExceptionPassesThrough_NothingSent()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (_, b) => b.AddDPoPAccessTokenProvider<ThrowingTokenProvider>());

        Assert.That(async () => await client.Http.GetAsync(new Uri("resource", UriKind.Relative)), Throws.InstanceOf<KeyStoreUnavailableException>());
        Assert.That(server.Seen, Is.Empty);
    }

    public sealed class KeyStoreUnavailableException(string message) : Exception(message);

    public sealed class HangingKeyProvider : IDPoPKeyProvider
    {
        public async ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new System.Diagnostics.UnreachableException();
        }
    }

    public sealed class SlowKeyProvider : IDPoPKeyProvider
    {
        public static readonly DPoPKey Key = DPoPKey.Generate();

        public async ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken)
        {
            await Task.Delay(100, cancellationToken);
            return Key;
        }
    }

    public sealed class ThrowingKeyProvider : IDPoPKeyProvider
    {
        public async ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken)
        {
            await Task.Yield();
            throw new KeyStoreUnavailableException("the key vault is down");
        }
    }

    public sealed class SyncThrowingKeyProvider : IDPoPKeyProvider
    {
        public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) =>
            throw new KeyStoreUnavailableException("the key vault is down");
    }

    public sealed class NullKeyProvider : IDPoPKeyProvider
    {
        public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) => ValueTask.FromResult<DPoPKey>(null!);
    }

    public sealed class DisposedKeyProvider : IDPoPKeyProvider
    {
        private static readonly DPoPKey Disposed = CreateDisposed();

        public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) => ValueTask.FromResult(Disposed);

        private static DPoPKey CreateDisposed()
        {
            var key = DPoPKey.Generate();
            key.Dispose();
            return key;
        }
    }

    public sealed class ThrowingTokenProvider : IDPoPAccessTokenProvider
    {
        public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new KeyStoreUnavailableException("the token cache is down");
    }
}
