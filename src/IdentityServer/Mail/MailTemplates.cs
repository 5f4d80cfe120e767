using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text;

namespace IdentityHost.IdentityServer.Mail;

/// <summary>
/// The mails' plain-text and HTML bodies, from the files in <c>Mail/Templates</c> (built into the server). A text template's
/// first line is <c>Subject: …</c>; <c>{{Name}}</c> is replaced by a value, HTML-encoded in the HTML body.
/// </summary>
public sealed class MailTemplates
{
    private readonly ConcurrentDictionary<string, string> _files = new(StringComparer.Ordinal);

    /// <summary>The subject, text body and HTML body of <paramref name="name"/>.</summary>
    public (string Subject, string Text, string Html) Render(string name, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var text = Fill(Read(name + ".txt"), values, encode: false);
        var html = Fill(Read(name + ".html"), values, encode: true);
        var firstLine = text.IndexOf('\n', StringComparison.Ordinal);
        const string SubjectPrefix = "Subject: ";
        if (firstLine < 0 || !text.StartsWith(SubjectPrefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Mail template {name}.txt must start with a 'Subject: ' line.");
        }

        return (text[SubjectPrefix.Length..firstLine].Trim(), text[(firstLine + 1)..].TrimStart('\r', '\n'), html);
    }

    private string Read(string file) => _files.GetOrAdd(file, static name =>
    {
        using var stream = typeof(MailTemplates).Assembly.GetManifestResourceStream("IdentityHost.Mail." + name)
            ?? throw new InvalidOperationException($"No mail template {name} (Mail/Templates).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    });

    private static string Fill(string template, IReadOnlyDictionary<string, string> values, bool encode)
    {
        var result = new StringBuilder(template.Length + 256);
        var position = 0;
        while (template.IndexOf("{{", position, StringComparison.Ordinal) is var start and >= 0)
        {
            var end = template.IndexOf("}}", start, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }

            var name = template[(start + 2)..end];
            var value = values.TryGetValue(name, out var found)
                ? found
                : throw new InvalidOperationException($"The mail template needs a value for {name}.");
            result.Append(template, position, start - position).Append(encode ? HtmlEncoder.Default.Encode(value) : value);
            position = end + 2;
        }

        return result.Append(template, position, template.Length - position).ToString();
    }
}
