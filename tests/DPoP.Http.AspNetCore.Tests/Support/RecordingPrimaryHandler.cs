using System.Collections.Concurrent;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>
/// An app's own primary handler: a SocketsHttpHandler (redirects on, as the app left it) behind a recorder of each
/// request's path and form <c>grant_type</c>, so a test sees which requests went through the configuration the app gave.
/// </summary>
internal sealed class RecordingPrimaryHandler : DelegatingHandler
{
    public RecordingPrimaryHandler()
        : base(new SocketsHttpHandler { UseProxy = false })
    {
    }

    /// <summary>What went through: the request path and, for forms, the grant type (or "-").</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public SocketsHttpHandler Sockets => (SocketsHttpHandler)InnerHandler!;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var form = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var grant = form.Split('&').FirstOrDefault(p => p.StartsWith("grant_type=", StringComparison.Ordinal))?["grant_type=".Length..] ?? "-";
        Requests.Enqueue($"{request.RequestUri!.AbsolutePath} {Uri.UnescapeDataString(grant)}");
        return await base.SendAsync(request, cancellationToken);
    }
}
