using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.AspNetCore.Tests.Unit;

/// <summary>
/// <c>AddDPoPBlazorServer()</c>'s circuit handler, driven as a circuit drives it: the user scope of an inbound activity
/// is the circuit user's, lasts as long as work the activity started (Blazor dispatches a UI event fire-and-forget),
/// and ends with the circuit.
/// </summary>
public sealed class BlazorServerCircuitHandlerTests
{
    private static readonly ClaimsPrincipal Alice = new(new ClaimsIdentity([new Claim("sub", "alice")], "test"));

    [Test]
    public async Task InboundActivity_EventHandlerOutlivesTheActivity_StillRunsInTheCircuitUsersLiveScope()
    {
        await using var circuit = StartCircuit(out var activity);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<DPoPUserScope?> handler = null!;

        await activity(_ =>
        {
            // As Blazor does: the event handler is started inside the activity and not awaited by it.
            handler = RunAfterAsync(release.Task);
            return Task.CompletedTask;
        });
        release.SetResult();
        var scope = await handler;

        Assert.Multiple(() =>
        {
            Assert.That(scope?.User, Is.SameAs(Alice), "the circuit's user");
            Assert.That(() => { _ = scope!.GetSessionAsync("oidc", NotLoaded); }, Throws.Nothing, "the scope is still usable after the activity ended");
            Assert.That(DPoPUserScope.Current, Is.Null, "the caller's flow is left as it was");
        });
    }

    [Test]
    public async Task CircuitEnds_ItsScopeIsDisposed()
    {
        DPoPUserScope? scope = null;
        await using (var circuit = StartCircuit(out var activity))
        {
            await activity(_ =>
            {
                scope = DPoPUserScope.Current;
                return Task.CompletedTask;
            });
        }

        Assert.That(() => { _ = scope!.GetSessionAsync("oidc", NotLoaded); }, Throws.TypeOf<ObjectDisposedException>());
    }

    /// <summary>A session load that never runs far enough to matter here: only whether the scope accepts it is tested.</summary>
    private static Task<Internal.RequestSession> NotLoaded() => Task.FromException<Internal.RequestSession>(new InvalidOperationException("not loaded in this test"));

    private static async Task<DPoPUserScope?> RunAfterAsync(Task signal)
    {
        await signal;
        return DPoPUserScope.Current;
    }

    /// <summary>A circuit's service scope with <c>AddDPoPBlazorServer()</c>; <paramref name="activity"/> runs one inbound activity through its handlers.</summary>
    private static AsyncServiceScope StartCircuit(out Func<Func<CircuitInboundActivityContext, Task>, Task> activity)
    {
        var services = new ServiceCollection()
            .AddDPoPBlazorServer()
            .AddScoped<AuthenticationStateProvider>(_ => new FixedAuthenticationState(Alice))
            .BuildServiceProvider();
        var scope = services.CreateAsyncScope();
        var handlers = scope.ServiceProvider.GetServices<CircuitHandler>().ToList();
        Assert.That(handlers, Has.Count.EqualTo(1));
        activity = next => handlers[0].CreateInboundActivityHandler(next)(null!);
        return scope;
    }

    private sealed class FixedAuthenticationState(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
