/**
 * Reading configuration: {@link dev.chorus.sfu.config.CheckedConfig}, checked getters over one section whose
 * errors name the key, and the {@code chorus.media} defaults of this module's {@code reference.conf}. Each settings
 * class reads its own keys through it; {@code conference.MediaConfig} assembles the media service's settings.
 * Depends on nothing else of the SFU.
 */
package dev.chorus.sfu.config;
