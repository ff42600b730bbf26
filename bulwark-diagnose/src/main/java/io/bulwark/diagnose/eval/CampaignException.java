package io.bulwark.diagnose.eval;

/**
 * A campaign file that cannot be run, or a campaign this server cannot run: the message names the
 * file, the line and the field ({@code campaign.yaml:4: injections[1].fault: …}).
 */
public final class CampaignException extends Exception {

  private static final long serialVersionUID = 1L;

  /** {@code file:line: field: problem}; the line is left out when it is 0 (unknown). */
  public CampaignException(String file, int line, String field, String problem) {
    super(
        file
            + (line > 0 ? ":" + line : "")
            + ": "
            + (field.isEmpty() ? "" : field + ": ")
            + problem);
  }
}
