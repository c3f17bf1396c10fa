using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>
/// Stands between the app and oidc-provider on the scheme's token endpoint clients (added with
/// <c>ConfigureDPoPOpenIdConnectTokenEndpointClient</c>): holds a request or its answer until the test releases it,
/// or answers in the provider's place with an OAuth error of the test's choosing.
/// </summary>
internal sealed class TokenEndpointGate
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _refused;

    /// <summary>The grant type (or <c>revocation</c>) whose request is held before it is sent.</summary>
    public string? HoldRequest { get; set; }

    /// <summary>The grant type whose answer is held after the provider gave it.</summary>
    public string? HoldAnswer { get; set; }

    /// <summary>Answers in the provider's place: grant type (or <c>revocation</c>) in, the OAuth <c>error</c> to answer (<see cref="RefuseStatus"/>) or null to pass.</summary>
    public Func<string, string?>? Refuse { get; set; }

    /// <summary>The status of a <see cref="Refuse"/> answer: 400 unless the test says otherwise (503 for an outage).</summary>
    public HttpStatusCode RefuseStatus { get; set; } = HttpStatusCode.BadRequest;

    /// <summary>How many requests were answered in the provider's place.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Completes when a request or answer is being held.</summary>
    public Task Held => _held.Task;

    /// <summary>The refresh token in the answer that was held.</summary>
    public string? HeldRefreshToken { get; private set; }

    public void Release() => _released.TrySetResult();

    /// <summary>Puts the gate on the test app's token endpoint clients (a <c>configureServices</c> of <see cref="WebApp.StartAsync"/>).</summary>
    public void Install(IServiceCollection services) =>
        services.ConfigureDPoPOpenIdConnectTokenEndpointClient(WebApp.Scheme, client => client.AddHttpMessageHandler(() => new Handler(this)));

    private sealed class Handler(TokenEndpointGate gate) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var form = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            var kind = request.RequestUri!.AbsolutePath.EndsWith("/revocation", StringComparison.Ordinal)
                ? "revocation"
                : QueryHelpers.ParseQuery(form).TryGetValue("grant_type", out var grantType) ? grantType.ToString() : string.Empty;

            if (gate.Refuse?.Invoke(kind) is { } error)
            {
                Interlocked.Increment(ref gate._refused);
                return new HttpResponseMessage(gate.RefuseStatus)
                {
                    RequestMessage = request,
                    Content = new StringContent(JsonSerializer.Serialize(new { error }), Encoding.UTF8, "application/json"),
                };
            }

            if (kind == gate.HoldRequest)
            {
                gate._held.TrySetResult();
                await gate._released.Task.WaitAsync(cancellationToken);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (kind == gate.HoldAnswer && response.IsSuccessStatusCode)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                gate.HeldRefreshToken = json.RootElement.GetProperty("refresh_token").GetString();
                gate._held.TrySetResult();
                await gate._released.Task.WaitAsync(cancellationToken);
            }

            return response;
        }
    }
}
