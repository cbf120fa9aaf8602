# The SD card image. Included from the top Makefile.
#
#   make sdcard CONFIG=path/to/smtp.conf [FILES="ca.pem revaliases"] [FIRMWARE_ACCEPT_NEWER=1]
#
# builds every board image, then tools/mksdcard writes build/sdcard.img (see its header). Tests give
# SDCARD_IMG=another/path so that they never replace the user's card image. Always rerun: the
# config and FILES live outside the tree and the config check must see their current contents; the image takes
# a second once the firmware package is cached. The new image replaces the old one only when it is complete, so a
# failed run leaves the previous image as it was.
# FIRMWARE_ACCEPT_NEWER=1 builds with the mirror's raspi-firmware when the pinned one is gone (see
# tools/raspi-firmware.lock).

SDCARD_IMG ?= build/sdcard.img

.PHONY: sdcard
sdcard:
	@test -n '$(CONFIG)' || { echo 'usage: make sdcard CONFIG=path/to/smtp.conf [FILES="ca.pem revaliases"]' >&2; exit 2; }
	$(MAKE) --no-print-directory all-boards
	tools/mksdcard --config '$(CONFIG)' --files '$(FILES)' --output $(SDCARD_IMG) \
		$(if $(FIRMWARE_ACCEPT_NEWER),--accept-newer-firmware)
